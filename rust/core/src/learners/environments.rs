//! Which experiment (environment) each row came from, for the learners that model the
//! experiments themselves (BaCaDI/DiBS infer or use each environment's intervention targets).

use crate::error::{CoreError, Result};

/// Row labels 0..count (0 the observational environment), each label used by at least one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environments {
    labels: Vec<usize>,
    count: usize,
}

impl Environments {
    /// Checks the labels of `n` rows: one per row, every label in 0..max used by a row.
    pub fn new(labels: Vec<usize>, n: usize) -> Result<Self> {
        if labels.len() != n {
            return Err(CoreError::InvalidInput(format!(
                "there must be one environment label per row: {} labels for {n} rows",
                labels.len()
            )));
        }
        let count = labels.iter().max().map_or(0, |&m| m + 1);
        let mut rows = vec![0usize; count];
        for &e in &labels {
            rows[e] += 1;
        }
        if let Some(e) = rows.iter().position(|&r| r == 0) {
            return Err(CoreError::InvalidInput(format!(
                "environment labels must be 0..{count} with every label used; label {e} has no rows"
            )));
        }
        Ok(Environments { labels, count })
    }

    /// The label of every row.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The number of environments.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Rows per environment.
    pub fn sizes(&self) -> Vec<usize> {
        let mut rows = vec![0usize; self.count];
        for &e in &self.labels {
            rows[e] += 1;
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_checked() {
        let env = Environments::new(vec![0, 1, 1, 2], 4).unwrap();
        assert_eq!((env.count(), env.sizes()), (3, vec![1, 2, 1]));
        assert!(Environments::new(vec![0, 2], 2).is_err()); // label 1 unused
        assert!(Environments::new(vec![0, 1], 3).is_err()); // one label short
    }
}
