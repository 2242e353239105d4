//! Which dimensions count as weak: a score (0–100) below the organisation's threshold, or
//! among its N lowest scores. Dimensions without a score (no closed round yet, or hidden
//! below the minimum group size) are never weak. Scores tied with the N-th lowest count as
//! weak too, so equal scores are never told apart by an arbitrary order.

pub fn weak_flags(scores: &[Option<f64>], threshold: f64, lowest: usize) -> Vec<bool> {
    let mut known: Vec<f64> = scores.iter().flatten().copied().collect();
    known.sort_by(f64::total_cmp);
    let cutoff = if lowest == 0 {
        None
    } else {
        known.get(lowest.min(known.len()).saturating_sub(1)).copied()
    };
    scores
        .iter()
        .map(|s| match s {
            None => false,
            Some(s) => *s < threshold || cutoff.is_some_and(|c| *s <= c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_threshold_or_among_the_lowest() {
        let scores = [Some(75.0), Some(40.0), Some(90.0), Some(65.0), Some(70.0)];
        assert_eq!(weak_flags(&scores, 60.0, 2), vec![false, true, false, true, false]);
        assert_eq!(weak_flags(&scores, 80.0, 0), vec![true, true, false, true, true]);
        assert_eq!(weak_flags(&scores, 0.0, 1), vec![false, true, false, false, false]);
    }

    #[test]
    fn ties_and_gaps() {
        let scores = [Some(70.0), None, Some(65.0), Some(65.0), Some(80.0)];
        assert_eq!(weak_flags(&scores, 60.0, 1), vec![false, false, true, true, false]);
        assert_eq!(weak_flags(&scores, 60.0, 10), vec![true, false, true, true, true]);
        assert_eq!(weak_flags(&[None, None], 60.0, 2), vec![false, false]);
        assert!(weak_flags(&[], 60.0, 2).is_empty());
    }
}
