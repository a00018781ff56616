//! Offsets between two versions of a text: the last analysis that parsed cleanly keeps
//! answering while the current text does not parse, for the places the edit left alone.

use crate::source::Span;

/// How offsets move from an old text to a new one: both share a prefix and a suffix, and
/// everything between changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetMap {
    prefix: u32,
    old_changed_end: u32,
    new_changed_end: u32,
}

impl OffsetMap {
    /// The map from `old` to `new`.
    #[must_use]
    pub fn new(old: &str, new: &str) -> OffsetMap {
        let (a, b) = (old.as_bytes(), new.as_bytes());
        let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        while prefix > 0 && !(old.is_char_boundary(prefix) && new.is_char_boundary(prefix)) {
            prefix -= 1;
        }
        let max_suffix = a.len().min(b.len()) - prefix;
        let mut suffix = a
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take(max_suffix)
            .take_while(|(x, y)| x == y)
            .count();
        while suffix > 0
            && !(old.is_char_boundary(a.len() - suffix) && new.is_char_boundary(b.len() - suffix))
        {
            suffix -= 1;
        }
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        OffsetMap {
            prefix: to_u32(prefix),
            old_changed_end: to_u32(a.len() - suffix),
            new_changed_end: to_u32(b.len() - suffix),
        }
    }

    /// The old offset of a new offset outside the changed text.
    #[must_use]
    pub fn to_old(&self, offset: u32) -> Option<u32> {
        if offset <= self.prefix {
            Some(offset)
        } else if offset >= self.new_changed_end {
            Some(offset - self.new_changed_end + self.old_changed_end)
        } else {
            None
        }
    }

    /// The new span of an old span that lies outside the changed text.
    #[must_use]
    pub fn span_to_new(&self, span: Span) -> Option<Span> {
        if span.end <= self.prefix {
            Some(span)
        } else if span.start >= self.old_changed_end {
            let shift = |o: u32| o - self.old_changed_end + self.new_changed_end;
            Some(Span {
                start: shift(span.start),
                end: shift(span.end),
            })
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_around_an_edit_map_and_inside_do_not() {
        let map = OffsetMap::new("let a = f(x)\nb", "let a = f(x, 🎈\nb");
        assert_eq!(map.to_old(4), Some(4));
        assert_eq!(map.to_old(17), Some(12));
        assert_eq!(map.to_old(13), None);
        assert_eq!(
            map.span_to_new(Span { start: 13, end: 14 }),
            Some(Span { start: 18, end: 19 })
        );
        assert_eq!(map.span_to_new(Span { start: 10, end: 12 }), None);
        assert_eq!(
            map.span_to_new(Span { start: 4, end: 5 }),
            Some(Span { start: 4, end: 5 })
        );
    }
}
