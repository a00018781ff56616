//! Cron expressions for scheduled WfRuns (ScheduleWf), in the dialect LittleHorse
//! accepts: cron-utils' `CronType.UNIX` definition (`LHUtil.nextDate` in
//! littlehorse-enterprises/littlehorse `server/src/main/java/io/littlehorse/common/util/LHUtil.java`).
//!
//! Five fields, `minute hour day-of-month month day-of-week`:
//!
//! | field | values | names |
//! | --- | --- | --- |
//! | minute | 0-59 | |
//! | hour | 0-23 | |
//! | day of month | 1-31 | |
//! | month | 1-12 | JAN-DEC |
//! | day of week | 0-7 (0 and 7: Sunday) | SUN-SAT |
//!
//! Each field is `*` or a comma-separated list of `N`, `A-B` (A ≤ B: strict ranges),
//! `*/S`, `A-B/S` or `A/S` (from A to the field's maximum, every S). Names are
//! case-insensitive. Quartz extensions (`?`, `L`, `W`, `#`, seconds, years) and
//! nicknames (`@daily`) are refused, as `CronType.UNIX` refuses them. When both
//! day fields are restricted (neither is `*`), a day matches if **either** matches
//! (the Unix rule; cron-utils' UNIX definition does not set
//! `matchDayOfWeekAndDayOfMonth`).
//!
//! Times are evaluated in UTC (LittleHorse uses the server JVM's default time zone).
//! [`CronExpr::next_after`] is strictly after the given instant, on a whole minute, as
//! cron-utils' `ExecutionTime.nextExecution` is; `None` when no date matches within
//! [`HORIZON_DAYS`] (e.g. `0 0 30 2 *`), where LittleHorse answers
//! "Cron expression does not yield a next execution time".

use std::fmt;

/// How far ahead a next execution is looked for: 9 years, enough for every
/// February 29th (at most 8 years apart).
pub(crate) const HORIZON_DAYS: i64 = 366 * 9;

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;

/// The five fields, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CronField {
    /// Minute (0-59).
    Minute,
    /// Hour (0-23).
    Hour,
    /// Day of month (1-31).
    DayOfMonth,
    /// Month (1-12, JAN-DEC).
    Month,
    /// Day of week (0-7, SUN-SAT).
    DayOfWeek,
}

impl CronField {
    const ALL: [CronField; 5] = [
        CronField::Minute,
        CronField::Hour,
        CronField::DayOfMonth,
        CronField::Month,
        CronField::DayOfWeek,
    ];

    fn range(self) -> (u32, u32) {
        match self {
            CronField::Minute => (0, 59),
            CronField::Hour => (0, 23),
            CronField::DayOfMonth => (1, 31),
            CronField::Month => (1, 12),
            CronField::DayOfWeek => (0, 7),
        }
    }

    fn names(self) -> &'static [&'static str] {
        match self {
            CronField::Month => &[
                "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
            ],
            CronField::DayOfWeek => &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
            _ => &[],
        }
    }

    /// The value a name stands for (JAN = 1, SUN = 0).
    fn name_value(self, text: &str) -> Option<u32> {
        let upper = text.to_ascii_uppercase();
        let i = self.names().iter().position(|n| *n == upper)?;
        let i = u32::try_from(i).ok()?;
        Some(if self == CronField::Month { i + 1 } else { i })
    }

    /// The field's name in messages.
    pub(crate) fn label(self) -> &'static str {
        match self {
            CronField::Minute => "minute",
            CronField::Hour => "hour",
            CronField::DayOfMonth => "day of month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day of week",
        }
    }
}

/// Why a cron expression was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CronError {
    /// Not five fields (cron-utils' wording).
    FieldCount(usize),
    /// One field is malformed.
    Field {
        /// Which field.
        field: CronField,
        /// Its text.
        text: String,
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CronError::FieldCount(n) => write!(
                f,
                "Cron expression contains {n} parts but we expect one of [5] \
                 (minute hour day-of-month month day-of-week)"
            ),
            CronError::Field {
                field,
                text,
                reason,
            } => write!(f, "{} field `{text}`: {reason}", field.label()),
        }
    }
}

impl std::error::Error for CronError {}

/// A parsed cron expression: the set of allowed values of each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronExpr {
    minutes: u64,
    hours: u64,
    days_of_month: u64,
    months: u64,
    /// Bit 0 = Sunday … bit 6 = Saturday (7 folded onto 0).
    days_of_week: u64,
    dom_any: bool,
    dow_any: bool,
}

impl CronExpr {
    /// Parses a five-field expression.
    pub fn parse(text: &str) -> Result<CronExpr, CronError> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(CronError::FieldCount(parts.len()));
        }
        let mut sets = [0u64; 5];
        for (i, field) in CronField::ALL.iter().enumerate() {
            sets[i] = parse_field(*field, parts[i])?;
        }
        let mut dow = sets[4];
        if dow & (1 << 7) != 0 {
            dow = (dow & !(1 << 7)) | 1;
        }
        Ok(CronExpr {
            minutes: sets[0],
            hours: sets[1],
            days_of_month: sets[2],
            months: sets[3],
            days_of_week: dow,
            dom_any: parts[2] == "*",
            dow_any: parts[4] == "*",
        })
    }

    /// Whether the minute starting at `ms` (epoch ms, UTC) matches.
    pub fn matches(&self, ms: i64) -> bool {
        let day = ms.div_euclid(DAY_MS);
        let in_day = ms.rem_euclid(DAY_MS) / MINUTE_MS;
        self.day_matches(day) && bit(self.hours, in_day / 60) && bit(self.minutes, in_day % 60)
    }

    /// The first whole minute strictly after `ms` that matches, within [`HORIZON_DAYS`].
    pub fn next_after(&self, ms: i64) -> Option<i64> {
        let start = ms
            .div_euclid(MINUTE_MS)
            .checked_add(1)?
            .checked_mul(MINUTE_MS)?;
        let first_day = start.div_euclid(DAY_MS);
        let first_minute = start.rem_euclid(DAY_MS) / MINUTE_MS;
        for day in first_day..first_day.checked_add(HORIZON_DAYS)? {
            if !self.day_matches(day) {
                continue;
            }
            let from = if day == first_day { first_minute } else { 0 };
            for minute in from..24 * 60 {
                if bit(self.hours, minute / 60) && bit(self.minutes, minute % 60) {
                    return day.checked_mul(DAY_MS)?.checked_add(minute * MINUTE_MS);
                }
            }
        }
        None
    }

    fn day_matches(&self, day: i64) -> bool {
        let (_, month, dom) = civil_from_days(day);
        if !bit(self.months, i64::from(month)) {
            return false;
        }
        // 1970-01-01 was a Thursday (4).
        let dow = (day + 4).rem_euclid(7);
        let dom_ok = bit(self.days_of_month, i64::from(dom));
        let dow_ok = bit(self.days_of_week, dow);
        match (self.dom_any, self.dow_any) {
            (true, true) => true,
            (true, false) => dow_ok,
            (false, true) => dom_ok,
            (false, false) => dom_ok || dow_ok,
        }
    }
}

fn bit(set: u64, i: i64) -> bool {
    (0..64).contains(&i) && set & (1u64 << i) != 0
}

fn parse_field(field: CronField, text: &str) -> Result<u64, CronError> {
    let err = |reason: String| CronError::Field {
        field,
        text: text.to_string(),
        reason,
    };
    let (min, max) = field.range();
    let mut set = 0u64;
    for item in text.split(',') {
        if item.is_empty() {
            return Err(err("an empty item in a list".into()));
        }
        let (base, step) = match item.split_once('/') {
            Some((b, s)) => {
                let step: u32 = s
                    .parse()
                    .map_err(|_| err(format!("step `{s}` is not a number")))?;
                if step == 0 {
                    return Err(err("a step must be at least 1".into()));
                }
                (b, Some(step))
            }
            None => (item, None),
        };
        let (from, to) = if base == "*" {
            (min, max)
        } else if let Some((a, b)) = base.split_once('-') {
            let a = value(field, a).map_err(&err)?;
            let b = value(field, b).map_err(&err)?;
            if a > b {
                return Err(err(format!(
                    "invalid range {a}-{b}: the start is after the end"
                )));
            }
            (a, b)
        } else {
            let v = value(field, base).map_err(&err)?;
            // `A/S` runs from A to the field's maximum.
            (v, if step.is_some() { max } else { v })
        };
        let step = step.unwrap_or(1);
        let mut v = from;
        while v <= to {
            set |= 1u64 << v;
            v += step;
        }
    }
    Ok(set)
}

fn value(field: CronField, text: &str) -> Result<u32, String> {
    let (min, max) = field.range();
    let v = match text.parse::<u32>() {
        Ok(v) => v,
        Err(_) => field.name_value(text).ok_or_else(|| {
            if text.chars().any(|c| matches!(c, '?' | 'L' | 'W' | '#' | 'l' | 'w')) {
                format!("`{text}` is a Quartz extension; LittleHorse's cron (Unix) has no `?`, `L`, `W` or `#`")
            } else {
                format!("`{text}` is not a number between {min} and {max}")
            }
        })?,
    };
    if v < min || v > max {
        return Err(format!("{v} is out of range {min}-{max}"));
    }
    Ok(v)
}

/// (year, month 1-12, day 1-31) of a day number since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A day number since 1970-01-01 from (year, month, day).
    fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(m);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    fn at(y: i64, mo: u32, d: u32, h: i64, mi: i64) -> i64 {
        days_from_civil(y, mo, d) * DAY_MS + h * 3_600_000 + mi * MINUTE_MS
    }

    #[test]
    fn littlehorse_s_own_examples() {
        // LHUtilTest.shouldCalculateNextDateFromCronExpression (in UTC).
        let e = CronExpr::parse("5 0 * 8 *").unwrap();
        assert_eq!(
            e.next_after(at(2300, 1, 2, 1, 0)),
            Some(at(2300, 8, 1, 0, 5))
        );
        // LHUtilTest.shouldHandleNonValidCronExpression.
        let err = CronExpr::parse("dasdasd").unwrap_err();
        assert_eq!(err, CronError::FieldCount(1));
        assert!(
            err.to_string()
                .starts_with("Cron expression contains 1 parts but we expect one of [5]")
        );
    }

    #[test]
    fn next_is_strictly_after_on_a_whole_minute() {
        let e = CronExpr::parse("* * * * *").unwrap();
        let t = at(2026, 1, 1, 10, 0);
        assert_eq!(e.next_after(t), Some(t + MINUTE_MS));
        assert_eq!(e.next_after(t + 30_000), Some(t + MINUTE_MS));
        let e = CronExpr::parse("*/15 9-17 * * MON-FRI").unwrap();
        // 2026-01-03 is a Saturday: the next fire is Monday 09:00.
        assert_eq!(
            e.next_after(at(2026, 1, 3, 12, 0)),
            Some(at(2026, 1, 5, 9, 0))
        );
        assert_eq!(
            e.next_after(at(2026, 1, 5, 9, 0)),
            Some(at(2026, 1, 5, 9, 15))
        );
        assert_eq!(
            e.next_after(at(2026, 1, 5, 17, 45)),
            Some(at(2026, 1, 6, 9, 0))
        );
    }

    #[test]
    fn restricted_day_fields_match_either() {
        // The 13th, or any Friday.
        let e = CronExpr::parse("0 0 13 * 5").unwrap();
        // 2026-01-02 is a Friday.
        assert_eq!(
            e.next_after(at(2026, 1, 1, 0, 0)),
            Some(at(2026, 1, 2, 0, 0))
        );
        assert_eq!(
            e.next_after(at(2026, 1, 12, 0, 0)),
            Some(at(2026, 1, 13, 0, 0))
        );
        // Sunday is 0 and 7.
        assert_eq!(
            CronExpr::parse("0 0 * * 7").unwrap(),
            CronExpr::parse("0 0 * * sun").unwrap()
        );
    }

    #[test]
    fn leap_days_and_impossible_dates() {
        let e = CronExpr::parse("0 0 29 2 *").unwrap();
        assert_eq!(
            e.next_after(at(2097, 1, 1, 0, 0)),
            Some(at(2104, 2, 29, 0, 0))
        );
        assert_eq!(CronExpr::parse("0 0 30 2 *").unwrap().next_after(0), None);
    }

    #[test]
    fn refused_like_cron_utils_unix() {
        for bad in [
            "0 0 ? * *",
            "0 0 L * *",
            "0 0 * * 5#2",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * * 13 *",
            "* * * * 8",
            "5-3 * * * *",
            "*/0 * * * *",
            "0 0 0 * * *",
            "@daily",
            "1,,2 * * * *",
        ] {
            assert!(CronExpr::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn civil_dates_round_trip() {
        for day in -800_000..800_000 {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
    }
}
