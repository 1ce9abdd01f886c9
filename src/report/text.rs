//! How figures are written in both views (terminal and page), so the two
//! read the same: `12,345`, `4.2%`, `+3.1%`, and sparklines.

/// `1234567` → `1,234,567`.
pub(crate) fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share as a percentage with one decimal: `0.0423` → `4.2%`.
pub(crate) fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A change with its sign, `n/a` without a base: `0.031` → `+3.1%`.
pub(crate) fn change(change: Option<f64>) -> String {
    match change {
        Some(c) => format!("{:+.1}%", c * 100.0),
        None => "n/a".to_owned(),
    }
}

/// The eight block characters a sparkline is drawn with, lowest first.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A sparkline of `values` at most `width` characters wide: consecutive
/// values are summed into buckets when there are more values than
/// characters; each bucket's height is relative to the largest.
pub(crate) fn sparkline(values: &[i64], width: usize) -> String {
    let buckets = bucket(values, width);
    let max = buckets.iter().copied().max().unwrap_or(0);
    buckets
        .iter()
        .map(|&v| {
            if max <= 0 || v <= 0 {
                ' '
            } else {
                // 1..=8 eighths: any traffic shows at least the lowest bar.
                let eighth = ((v as f64 / max as f64) * 7.0).round() as usize;
                BARS[eighth.min(7)]
            }
        })
        .collect()
}

/// `values` summed into at most `width` buckets of equal length (the last
/// one may be shorter).
pub(crate) fn bucket(values: &[i64], width: usize) -> Vec<i64> {
    let width = width.max(1);
    let per = values.len().div_ceil(width).max(1);
    values.chunks(per).map(|c| c.iter().sum()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(-1_234_567), "-1,234,567");
    }

    #[test]
    fn changes_carry_their_sign_or_say_there_is_no_base() {
        assert_eq!(change(Some(0.031)), "+3.1%");
        assert_eq!(change(Some(-0.5)), "-50.0%");
        assert_eq!(change(None), "n/a");
        assert_eq!(percent(0.0423), "4.2%");
    }

    #[test]
    fn a_sparkline_scales_to_its_largest_bucket_and_blanks_zero_days() {
        assert_eq!(sparkline(&[0, 1, 2, 4, 8], 10), " ▂▃▅█");
        assert_eq!(sparkline(&[1, 1, 2, 2], 2), "▅█");
        assert_eq!(sparkline(&[], 5), "");
        assert_eq!(bucket(&[1, 2, 3, 4, 5], 2), [6, 9]);
    }
}
