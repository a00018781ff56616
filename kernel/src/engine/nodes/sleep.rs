//! SLEEP: waits until a time computed at arrival (seconds from now, an epoch
//! timestamp or an ISO-8601 date).

use super::Arrival;
use crate::engine::EngineError;
use crate::engine::RunState;
use crate::engine::advance::{Ctx, Progress, failure};
use crate::util::{ms_to_ts, ts_to_ms};
use crate::values::{self, val};
use crate::wfspec::{NodeCheck, va_vars};
use lhw_proto::littlehorse::{
    LhErrorType, SleepNode, SleepNodeRun, node_run::NodeType, sleep_node::SleepLength,
    variable_value::Value,
};

pub(super) fn validate(s: &SleepNode, c: &NodeCheck<'_>) -> Result<(), EngineError> {
    match &s.sleep_length {
        None => Err(c.invalid("sleep.sleep_length is not set")),
        Some(_) => Ok(()),
    }
}

pub(super) fn reads<'a>(s: &'a SleepNode, out: &mut Vec<&'a str>) {
    if let Some(SleepLength::RawSeconds(v) | SleepLength::Timestamp(v) | SleepLength::IsoDate(v)) =
        &s.sleep_length
    {
        va_vars(v, out);
    }
}

/// Computes the maturation time; a length that cannot be evaluated fails
/// the node with VAR_SUB_ERROR.
pub(super) fn arrive(run: &RunState, t: i32, s: &SleepNode, now: i64) -> Arrival {
    match sleep_until(run, t, s.sleep_length.as_ref(), now) {
        Ok(due) => Arrival::of(NodeType::Sleep(SleepNodeRun {
            maturation_time: Some(ms_to_ts(due)),
            matured: due <= now,
        })),
        Err(e) => Arrival {
            node_type: Some(NodeType::Sleep(SleepNodeRun::default())),
            failure: Some(failure(LhErrorType::VarSubError, e, None)),
        },
    }
}

/// Done once the maturation time has come.
pub(super) fn check(run: &mut RunState, ctx: &Ctx<'_>, t: i32, pos: i32) -> Progress {
    let Some(nr) = run.node_runs.get(&(t, pos)) else {
        return Progress::Waiting;
    };
    match &nr.node_type {
        Some(NodeType::Sleep(s)) if s.matured => Progress::Completed,
        Some(NodeType::Sleep(s))
            if s.maturation_time
                .as_ref()
                .is_some_and(|m| ts_to_ms(m) <= ctx.now) =>
        {
            if let Some(NodeType::Sleep(s)) = run
                .node_run_mut(t, pos)
                .and_then(|nr| nr.node_type.as_mut())
            {
                s.matured = true;
            }
            Progress::Completed
        }
        _ => Progress::Waiting,
    }
}

/// The maturation time, until the sleep has matured.
pub(super) fn wake_time(s: &SleepNodeRun) -> Option<i64> {
    if s.matured {
        return None;
    }
    s.maturation_time.as_ref().map(ts_to_ms)
}

fn sleep_until(run: &RunState, t: i32, len: Option<&SleepLength>, now: i64) -> Result<i64, String> {
    match len {
        Some(SleepLength::RawSeconds(va)) => match run.eval(t, va)?.value {
            Some(Value::Int(s)) => Ok(now.saturating_add(s.saturating_mul(1000))),
            other => Err(format!(
                "sleep seconds must be INT, got {}",
                values::type_name(&val_opt(other))
            )),
        },
        Some(SleepLength::Timestamp(va)) => match run.eval(t, va)?.value {
            Some(Value::Int(ms)) => Ok(ms),
            Some(Value::UtcTimestamp(ts)) => Ok(ts_to_ms(&ts)),
            other => Err(format!(
                "sleep timestamp must be INT or TIMESTAMP, got {}",
                values::type_name(&val_opt(other))
            )),
        },
        Some(SleepLength::IsoDate(va)) => match run.eval(t, va)?.value {
            Some(Value::Str(s)) => {
                parse_iso8601(&s).ok_or_else(|| format!("invalid ISO-8601 date \"{s}\""))
            }
            other => Err(format!(
                "sleep iso_date must be STR, got {}",
                values::type_name(&val_opt(other))
            )),
        },
        None => Err("the sleep node has no length".to_string()),
    }
}

fn val_opt(v: Option<Value>) -> lhw_proto::littlehorse::VariableValue {
    v.map(val).unwrap_or_default()
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` (or a bare date) to epoch ms.
fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |a: usize, b: usize| -> Option<i64> { s.get(a..b)?.parse().ok() };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    if s.get(4..5)? != "-"
        || s.get(7..8)? != "-"
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    if s.len() == 10 {
        return Some(days * 86_400_000);
    }
    let sep = s.get(10..11)?;
    if sep != "T" && sep != " " {
        return None;
    }
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let mut rest = s.get(19..)?;
    let mut millis = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        let padded = format!("{digits:0<3}");
        millis = padded.get(0..3)?.parse::<i64>().ok()?;
        rest = &frac[digits.len()..];
    }
    let offset_min = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = if rest.starts_with('-') {
                -1
            } else if rest.starts_with('+') {
                1
            } else {
                return None;
            };
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (oh * 60 + om)
        }
    };
    Some(((days * 24 + h) * 60 + mi - offset_min) * 60_000 + sec * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::parse_iso8601;

    #[test]
    fn iso_dates() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_iso8601("2024-02-29T12:30:15.250Z"),
            Some(1_709_209_815_250)
        );
        assert_eq!(
            parse_iso8601("2024-02-29T13:30:15.250+01:00"),
            Some(1_709_209_815_250)
        );
        assert_eq!(parse_iso8601("2024-02-29"), Some(1_709_164_800_000));
        assert_eq!(parse_iso8601("yesterday"), None);
    }
}
