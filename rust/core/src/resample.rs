//! Resampling the rows of a data set for ensembles (bootstrap, subsampling, stability selection),
//! stratified by the rows' experiments, with the same indices on every machine.
//!
//! Member k of an ensemble draws from stream k of the ensemble's seed, so members can be drawn
//! in any order, on any thread or worker, and one member can be redrawn alone.

use crate::simulate::random::Random;
use crate::{CoreError, Result};

/// How a member's rows are drawn from each stratum of n_s rows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scheme {
    /// n_s rows with replacement (Efron's bootstrap).
    Bootstrap,
    /// ⌊fraction · n_s⌉ rows without replacement (at least 1).
    Subsample(f64),
}

/// The rows of each stratum, in row order; `strata[r]` is row r's stratum code (0..n_strata).
fn rows_by_stratum(strata: &[usize]) -> Result<Vec<Vec<usize>>> {
    if strata.is_empty() {
        return Err(CoreError::InvalidInput("resampling needs at least one row".into()));
    }
    let n_strata = strata.iter().max().map_or(0, |m| m + 1);
    let mut rows = vec![Vec::new(); n_strata];
    for (r, &s) in strata.iter().enumerate() {
        rows[s].push(r);
    }
    Ok(rows)
}

/// The rows of ensemble member `member`: drawn per stratum by `scheme`, returned sorted (a row
/// drawn twice appears twice). Errors on no rows or a subsample fraction outside (0, 1].
pub fn resample(strata: &[usize], scheme: Scheme, seed: u64, member: u64) -> Result<Vec<usize>> {
    if let Scheme::Subsample(f) = scheme {
        if !(f > 0.0 && f <= 1.0) {
            return Err(CoreError::InvalidInput(format!("subsample must be in (0, 1]; got {f}")));
        }
    }
    let mut random = Random::with_stream(seed, member);
    let mut drawn = Vec::with_capacity(strata.len());
    for rows in rows_by_stratum(strata)?.iter().filter(|rows| !rows.is_empty()) {
        let n_s = rows.len();
        match scheme {
            Scheme::Bootstrap => drawn.extend((0..n_s).map(|_| rows[random.index(n_s)])),
            Scheme::Subsample(f) => {
                let k = ((f * n_s as f64).round() as usize).clamp(1, n_s);
                drawn.extend(random.choose(n_s, k).into_iter().map(|i| rows[i]));
            }
        }
    }
    drawn.sort_unstable();
    Ok(drawn)
}

/// Pair `pair` of complementary halves (Shah & Samworth 2013): each stratum shuffled and split
/// into two disjoint halves of ⌊n_s/2⌋ rows (an odd stratum leaves one row out). Both halves
/// sorted. Errors on no rows or when no stratum has two rows.
pub fn complementary_halves(strata: &[usize], seed: u64, pair: u64) -> Result<(Vec<usize>, Vec<usize>)> {
    let mut random = Random::with_stream(seed, pair);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for rows in rows_by_stratum(strata)?.iter() {
        let half = rows.len() / 2;
        let order = random.permutation(rows.len());
        a.extend(order[..half].iter().map(|&i| rows[i]));
        b.extend(order[half..2 * half].iter().map(|&i| rows[i]));
    }
    if a.is_empty() {
        return Err(CoreError::InvalidInput("complementary halves need a stratum with at least 2 rows".into()));
    }
    a.sort_unstable();
    b.sort_unstable();
    Ok((a, b))
}

/// Each row's fold (0..k) for k-fold cross-validation: each stratum shuffled and dealt round
/// the folds, so every fold gets ⌊n_s/k⌋ or ⌈n_s/k⌉ of its rows. Errors when k < 2 or when
/// some fold would get no rows.
pub fn folds(strata: &[usize], k: usize, seed: u64) -> Result<Vec<usize>> {
    if k < 2 || k > strata.len() {
        return Err(CoreError::InvalidInput(format!(
            "cross-validation needs 2 <= folds <= rows ({}); got {k}",
            strata.len()
        )));
    }
    let mut random = Random::new(seed);
    let mut fold = vec![0; strata.len()];
    let mut next = 0; // deal across strata continuously so small strata do not all start at fold 0
    for rows in rows_by_stratum(strata)?.iter() {
        for i in random.permutation(rows.len()) {
            fold[rows[i]] = next;
            next = (next + 1) % k;
        }
    }
    Ok(fold)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(rows: &[usize], n: usize) -> Vec<usize> {
        let mut c = vec![0; n];
        rows.iter().for_each(|&r| c[r] += 1);
        c
    }

    #[test]
    fn bootstrap_keeps_each_stratum_size() {
        let strata = [0, 0, 1, 1, 1, 0, 2, 1];
        let rows = resample(&strata, Scheme::Bootstrap, 3, 7).unwrap();
        assert_eq!(rows.len(), strata.len());
        for s in 0..3 {
            let drawn = rows.iter().filter(|&&r| strata[r] == s).count();
            assert_eq!(drawn, strata.iter().filter(|&&t| t == s).count());
        }
        assert!(rows.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn members_are_reproducible_and_differ() {
        let strata = vec![0; 50];
        let a = resample(&strata, Scheme::Bootstrap, 1, 0).unwrap();
        assert_eq!(a, resample(&strata, Scheme::Bootstrap, 1, 0).unwrap());
        assert_ne!(a, resample(&strata, Scheme::Bootstrap, 1, 1).unwrap());
        assert_ne!(a, resample(&strata, Scheme::Bootstrap, 2, 0).unwrap());
    }

    #[test]
    fn subsample_draws_distinct_rows() {
        let strata = vec![0; 10].into_iter().chain(vec![1; 5]).collect::<Vec<_>>();
        let rows = resample(&strata, Scheme::Subsample(0.5), 4, 2).unwrap();
        // round(5) + round(2.5) = 5 + 3 (half away from zero)
        assert_eq!(rows.len(), 8);
        assert!(counts(&rows, 15).iter().all(|&c| c <= 1));
        assert_eq!(resample(&strata, Scheme::Subsample(1.0), 4, 2).unwrap(), (0..15).collect::<Vec<_>>());
        assert!(resample(&strata, Scheme::Subsample(0.0), 4, 2).is_err());
        assert!(resample(&strata, Scheme::Subsample(f64::NAN), 4, 2).is_err());
        assert!(resample(&[], Scheme::Bootstrap, 4, 2).is_err());
    }

    #[test]
    fn folds_are_balanced_per_stratum() {
        let strata = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
        let fold = folds(&strata, 3, 5).unwrap();
        let sizes: Vec<usize> = (0..3).map(|f| fold.iter().filter(|&&g| g == f).count()).collect();
        assert!(sizes.iter().all(|&s| s == 3 || s == 4), "{sizes:?}");
        for s in 0..2 {
            for f in 0..3 {
                let c = (0..strata.len()).filter(|&r| strata[r] == s && fold[r] == f).count();
                assert!((1..=2).contains(&c));
            }
        }
        assert_eq!(fold, folds(&strata, 3, 5).unwrap());
        assert!(folds(&strata, 1, 5).is_err());
        assert!(folds(&strata, 12, 5).is_err());
    }

    #[test]
    fn halves_are_disjoint_and_balanced() {
        let strata = [0, 1, 0, 1, 0, 1, 0, 1, 1];
        let (a, b) = complementary_halves(&strata, 9, 3).unwrap();
        assert_eq!((a.len(), b.len()), (4, 4));
        assert!(a.iter().all(|r| !b.contains(r)));
        for s in 0..2 {
            assert_eq!(a.iter().filter(|&&r| strata[r] == s).count(), 2);
        }
        assert!(complementary_halves(&[0], 9, 3).is_err());
    }
}
