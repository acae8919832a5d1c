//! Settings shared by the learners' configurations: values that can be `"auto"`, and the
//! checks whose messages name a setting the way front ends spell it.

use crate::error::{CoreError, Result};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A setting that is either given or chosen by the learner from the data (`"auto"`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Auto<T> {
    /// The learner chooses (documented per setting).
    #[default]
    Auto,
    /// This value.
    Value(T),
}

impl<T: Copy> Auto<T> {
    /// The given value, or `auto()` for `"auto"`.
    pub fn resolve(&self, auto: impl FnOnce() -> T) -> T {
        match self {
            Auto::Auto => auto(),
            Auto::Value(v) => *v,
        }
    }
}

impl<T: Clone> Auto<T> {
    /// A copy of the given value, or `auto()` for `"auto"` (for values that are not `Copy`).
    pub fn resolve_cloned(&self, auto: impl FnOnce() -> T) -> T {
        match self {
            Auto::Auto => auto(),
            Auto::Value(v) => v.clone(),
        }
    }
}

impl<T: Serialize> Serialize for Auto<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Auto::Auto => serializer.serialize_str("auto"),
            Auto::Value(v) => v.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Auto<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        // Buffer the value: it is either the string "auto" or whatever T reads.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw<T> {
            Auto(AutoWord),
            Value(T),
        }
        match Raw::<T>::deserialize(deserializer) {
            Ok(Raw::Auto(_)) => Ok(Auto::Auto),
            Ok(Raw::Value(v)) => Ok(Auto::Value(v)),
            Err(_) => Err(de::Error::custom(format!("expected {} or \"auto\"", describe::<T>()))),
        }
    }
}

/// How a front end would name the type `T`.
fn describe<T>() -> &'static str {
    match std::any::type_name::<T>() {
        "f64" => "a number",
        "usize" | "u64" | "i64" => "an integer",
        "bool" => "a boolean",
        other => other,
    }
}

/// The word `"auto"` and nothing else.
struct AutoWord;

impl<'de> Deserialize<'de> for AutoWord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Word;
        impl Visitor<'_> for Word {
            type Value = AutoWord;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"auto\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<AutoWord, E> {
                if v == "auto" {
                    Ok(AutoWord)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
        }
        deserializer.deserialize_str(Word)
    }
}

/// One value or a sequence of them (e.g. one hidden-layer width or several).
pub fn one_or_many<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> std::result::Result<Vec<T>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        One(T),
        Many(Vec<T>),
    }
    match OneOrMany::<T>::deserialize(deserializer) {
        Ok(OneOrMany::One(v)) => Ok(vec![v]),
        Ok(OneOrMany::Many(v)) => Ok(v),
        Err(_) => Err(de::Error::custom(format!("expected {} or a sequence of them", describe::<T>()))),
    }
}

/// `"auto"`, one number or a sequence of numbers (e.g. DAGMA's `s`).
pub fn auto_one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Auto<Vec<f64>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Auto(AutoWord),
        One(f64),
        Many(Vec<f64>),
    }
    match Raw::deserialize(deserializer) {
        Ok(Raw::Auto(_)) => Ok(Auto::Auto),
        Ok(Raw::One(v)) => Ok(Auto::Value(vec![v])),
        Ok(Raw::Many(v)) => Ok(Auto::Value(v)),
        Err(_) => Err(de::Error::custom("expected a number, a sequence of numbers or \"auto\"")),
    }
}

fn bad(message: String) -> Result<()> {
    Err(CoreError::InvalidParameter(message))
}

/// `value` is finite and ≥ `low` (or > `low` when `strict`).
pub fn check_number(name: &str, value: f64, low: f64, strict: bool) -> Result<()> {
    let ok = value.is_finite() && if strict { value > low } else { value >= low };
    if ok {
        return Ok(());
    }
    let relation = if strict { ">" } else { ">=" };
    bad(format!("{name} must be a finite number {relation} {low}, got {value}"))
}

/// `value` lies in the open interval (0, 1).
pub fn check_probability(name: &str, value: f64) -> Result<()> {
    if value > 0.0 && value < 1.0 {
        return Ok(());
    }
    bad(format!("{name} must be in (0, 1), got {value}"))
}

/// `value` is an integer in [low, high].
pub fn check_count(name: &str, value: usize, low: usize, high: usize) -> Result<()> {
    if (low..=high).contains(&value) {
        return Ok(());
    }
    bad(format!("{name} must be an integer >= {low} (and <= {high}), got {value}"))
}

/// The largest count any setting may take (2³¹ − 1): beyond it loops would not end in a lifetime.
pub const MAX_COUNT: usize = (1 << 31) - 1;

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as ValueError, F64Deserializer, StrDeserializer};
    use serde::de::IntoDeserializer;

    #[test]
    fn auto_reads_the_word_or_a_value() {
        let word: StrDeserializer<ValueError> = "auto".into_deserializer();
        assert_eq!(Auto::<f64>::deserialize(word).unwrap(), Auto::Auto);
        let number: F64Deserializer<ValueError> = 0.5.into_deserializer();
        assert_eq!(Auto::<f64>::deserialize(number).unwrap(), Auto::Value(0.5));
        let other: StrDeserializer<ValueError> = "sometimes".into_deserializer();
        assert!(Auto::<f64>::deserialize(other).is_err());
        assert_eq!(Auto::Value(2.0).resolve(|| 1.0), 2.0);
        assert_eq!(Auto::<f64>::Auto.resolve(|| 1.0), 1.0);
    }

    #[test]
    fn checks_name_the_setting() {
        let message = check_number("lambda1", -1.0, 0.0, false).unwrap_err().to_string();
        assert!(message.contains("lambda1 must be a finite number >= 0, got -1"), "{message}");
        assert!(check_number("lr", 0.0, 0.0, true).is_err());
        assert!(check_number("lr", f64::NAN, 0.0, false).is_err());
        assert!(check_probability("prior", 1.0).is_err() && check_probability("prior", 0.5).is_ok());
        assert!(check_count("max_iter", 0, 1, MAX_COUNT).is_err());
    }
}
