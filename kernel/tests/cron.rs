//! Property tests of the cron dialect (`lhw_kernel::cron`): the next fire time is the
//! first matching whole minute strictly after the given instant (checked against an
//! independent oracle that walks a calendar day by day), and the compact forms (`A-B/S`, `A/S`, `*/S`, names) mean the
//! same sets as their explicit lists.

use lhw_kernel::cron::CronExpr;
use proptest::prelude::*;

const MIN: i64 = 60_000;
const DAY: i64 = 86_400_000;
/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600_000;

fn list(values: &[u32]) -> String {
    values
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// A field: `None` for `*`, else a non-empty set of values in `lo..=hi`.
fn field(lo: u32, hi: u32, star_weight: u32) -> impl Strategy<Value = Option<Vec<u32>>> {
    prop_oneof![
        star_weight => Just(None),
        3 => proptest::collection::btree_set(lo..=hi, 1..5)
            .prop_map(|s| Some(s.into_iter().collect::<Vec<_>>())),
    ]
}

/// The five fields of an expression, as sets.
#[derive(Debug, Clone)]
struct Fields([Option<Vec<u32>>; 5]);

impl Fields {
    fn text(&self) -> String {
        self.0
            .iter()
            .map(|f| f.as_deref().map_or_else(|| "*".to_string(), list))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn has(&self, i: usize, v: u32) -> bool {
        self.0[i].as_ref().is_none_or(|s| s.contains(&v))
    }

    /// The Unix rule, written independently of the parser: day of month OR day of week
    /// when both are restricted (7 is Sunday too).
    fn day_matches(&self, month: u32, dom: u32, dow: u32) -> bool {
        let dom_ok = self.has(2, dom);
        let dow_ok = self.has(4, dow) || (dow == 0 && self.has(4, 7) && self.0[4].is_some());
        self.has(3, month)
            && match (self.0[2].is_none(), self.0[4].is_none()) {
                (true, true) => true,
                (true, false) => dow_ok,
                (false, true) => dom_ok,
                (false, false) => dom_ok || dow_ok,
            }
    }
}

fn fields() -> impl Strategy<Value = Fields> {
    (
        field(0, 59, 1),
        field(0, 23, 1),
        field(1, 31, 2),
        field(1, 12, 3),
        field(0, 7, 2),
    )
        .prop_map(|(a, b, c, d, e)| Fields([a, b, c, d, e]))
}

fn days_in(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The first matching minute after `t` within `days` days, walking a calendar from
/// 2026-01-01 (a Thursday) day by day: an oracle that shares no code with the parser.
fn oracle_next(f: &Fields, t: i64, days: i64) -> Option<i64> {
    let (mut y, mut m, mut d, mut dow) = (2026i64, 1u32, 1u32, 4u32);
    let mut day_start = T0;
    let first = (t.div_euclid(MIN) + 1) * MIN;
    while day_start + DAY <= first {
        (y, m, d, dow) = next_day(y, m, d, dow);
        day_start += DAY;
    }
    for _ in 0..=days {
        if f.day_matches(m, d, dow) {
            for minute in 0..24 * 60 {
                let at = day_start + i64::from(minute) * MIN;
                if at >= first && f.has(1, minute / 60) && f.has(0, minute % 60) {
                    return Some(at);
                }
            }
        }
        (y, m, d, dow) = next_day(y, m, d, dow);
        day_start += DAY;
    }
    None
}

fn next_day(y: i64, m: u32, d: u32, dow: u32) -> (i64, u32, u32, u32) {
    let dow = (dow + 1) % 7;
    if d < days_in(y, m) {
        (y, m, d + 1, dow)
    } else if m < 12 {
        (y, m + 1, 1, dow)
    } else {
        (y + 1, 1, 1, dow)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn next_after_is_the_first_matching_minute_strictly_after(
        f in fields(),
        offset in 0i64..(400 * DAY),
    ) {
        let text = f.text();
        let e = CronExpr::parse(&text).expect("generated expressions parse");
        let t = T0 + offset;
        let next = e.next_after(t);
        // The oracle looks 60 days ahead.
        match next {
            Some(n) if n - t <= 60 * DAY => {
                prop_assert_eq!(Some(n), oracle_next(&f, t, 61), "{}", text);
                prop_assert!(e.matches(n), "{}", text);
            }
            Some(n) => {
                prop_assert!(n > t && n % MIN == 0 && e.matches(n), "{}", text);
                prop_assert_eq!(oracle_next(&f, t, 59), None, "{}", text);
            }
            None => prop_assert_eq!(oracle_next(&f, t, 61), None, "{}", text),
        }
    }

    #[test]
    fn steps_and_ranges_mean_their_explicit_lists(
        a in 0u32..60, len in 0u32..60, step in 1u32..20,
    ) {
        let b = (a + len).min(59);
        let explicit: Vec<u32> = (a..=b).step_by(step as usize).collect();
        let to_end: Vec<u32> = (a..=59).step_by(step as usize).collect();
        let every: Vec<u32> = (0..=59).step_by(step as usize).collect();
        let parse = |m: &str| CronExpr::parse(&format!("{m} * * * *")).expect("parses");
        prop_assert_eq!(parse(&format!("{a}-{b}/{step}")), parse(&list(&explicit)));
        prop_assert_eq!(parse(&format!("{a}/{step}")), parse(&list(&to_end)));
        prop_assert_eq!(parse(&format!("*/{step}")), parse(&list(&every)));
    }

    #[test]
    fn names_mean_their_numbers(month in 1u32..=12, dow in 0usize..7) {
        const MONTHS: [&str; 12] = [
            "jan", "FEB", "Mar", "apr", "MAY", "jun", "JUL", "aug", "SEP", "oct", "NOV", "dec",
        ];
        const DAYS: [&str; 7] = ["SUN", "mon", "TUE", "wed", "THU", "fri", "SAT"];
        let name = CronExpr::parse(&format!("0 0 * {} {}", MONTHS[month as usize - 1], DAYS[dow]))
            .expect("parses");
        let number = CronExpr::parse(&format!("0 0 * {month} {dow}")).expect("parses");
        prop_assert_eq!(name, number);
    }
}
