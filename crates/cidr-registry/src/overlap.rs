//! Every overlapping pair of address ranges, by sorting and one sweep: O(n log n + pairs).
//!
//! The ranges are sorted by first address (larger first on ties); the sweep keeps the ranges
//! still open in a min-heap by last address. At each range, the ranges that ended before it
//! are dropped, and every range left overlaps it: each reported pair costs O(1) and each
//! dropped range O(log n). The first of each pair starts no later than the second, and for
//! CIDR blocks (which are nested or disjoint, never partly overlapping) contains it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use crate::cidr::Span;

/// Every pair `(a, b)` of indices into `spans` whose ranges share an address, `a` sorting
/// before `b`; in no particular order.
pub fn overlapping_pairs(spans: &[Span]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.par_sort_unstable_by_key(|&index| (spans[index].start, Reverse(spans[index].end), index));
    let mut open: BinaryHeap<Reverse<(u32, usize)>> = BinaryHeap::new();
    let mut pairs = Vec::new();
    for index in order {
        let span = spans[index];
        while open
            .peek()
            .is_some_and(|Reverse((end, _))| *end < span.start)
        {
            open.pop();
        }
        pairs.extend(open.iter().map(|&Reverse((_, earlier))| (earlier, index)));
        open.push(Reverse((span.end, index)));
    }
    pairs
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The O(n²) reference: every pair, compared directly.
    fn brute_force(spans: &[Span]) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        for a in 0..spans.len() {
            for b in a + 1..spans.len() {
                if spans[a].overlaps(spans[b]) {
                    pairs.push((a, b));
                }
            }
        }
        pairs
    }

    fn unordered(pairs: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
        let mut pairs: Vec<(usize, usize)> = pairs
            .into_iter()
            .map(|(a, b)| (a.min(b), a.max(b)))
            .collect();
        pairs.sort_unstable();
        pairs
    }

    fn cidr_span(start: u32, prefix: u8) -> Span {
        let size_bits = 32 - u32::from(prefix);
        let mask = if size_bits == 32 {
            0
        } else {
            u32::MAX << size_bits
        };
        let first = start & mask;
        Span {
            start: first,
            end: first | !mask,
        }
    }

    #[test]
    fn nested_duplicate_and_disjoint_blocks() {
        let spans = [
            cidr_span(0x0A00_0000, 16), // 10.0.0.0/16
            cidr_span(0x0A00_0400, 24), // 10.0.4.0/24, inside the first
            cidr_span(0x0A01_0000, 16), // 10.1.0.0/16, apart
            cidr_span(0x0A00_0000, 16), // the first again
        ];
        assert_eq!(
            unordered(overlapping_pairs(&spans)),
            [(0, 1), (0, 3), (1, 3)]
        );
        for (a, b) in overlapping_pairs(&spans) {
            assert!(spans[a].contains(spans[b]), "{a} should contain {b}");
        }
    }

    #[test]
    fn no_ranges_no_pairs() {
        assert!(overlapping_pairs(&[]).is_empty());
        assert!(overlapping_pairs(&[cidr_span(0, 0)]).is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// CIDR blocks crowded into a small range, so that many nest and repeat.
        #[test]
        fn the_sweep_finds_exactly_the_brute_force_pairs_of_cidr_blocks(
            blocks in prop::collection::vec((0u32..4096, 20u8..=32), 0..120)
        ) {
            let spans: Vec<Span> = blocks.iter().map(|&(low, prefix)| cidr_span(0x0A00_0000 | low, prefix)).collect();
            prop_assert_eq!(unordered(overlapping_pairs(&spans)), brute_force(&spans));
        }

        /// Arbitrary intervals, including partial overlaps, which CIDR blocks never have.
        #[test]
        fn the_sweep_finds_exactly_the_brute_force_pairs_of_any_ranges(
            ranges in prop::collection::vec((0u32..1000, 0u32..200), 0..120)
        ) {
            let spans: Vec<Span> = ranges.iter().map(|&(start, length)| Span { start, end: start + length }).collect();
            prop_assert_eq!(unordered(overlapping_pairs(&spans)), brute_force(&spans));
        }

        #[test]
        fn the_sweep_handles_the_whole_address_space(
            blocks in prop::collection::vec((any::<u32>(), 0u8..=32), 0..60)
        ) {
            let spans: Vec<Span> = blocks.iter().map(|&(start, prefix)| cidr_span(start, prefix)).collect();
            prop_assert_eq!(unordered(overlapping_pairs(&spans)), brute_force(&spans));
        }
    }
}
