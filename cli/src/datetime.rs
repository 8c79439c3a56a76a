//! Kafka's time arguments without a date library: `YYYY-MM-DDTHH:mm:SS.sss` with an optional
//! zone (`Z`, `+09:00`, `-0530`; none means UTC) and ISO-8601 durations (`PnDTnHnMn.nS`).

/// Milliseconds since the epoch for a Kafka `--to-datetime` value.
pub fn parse_datetime(s: &str) -> Result<i64, String> {
    let bad = || {
        format!("Invalid datetime '{s}': expected 'YYYY-MM-DDTHH:mm:SS.sss' with an optional time zone such as 'Z' or '+09:00'")
    };
    let (date, rest) = s.split_once('T').ok_or_else(bad)?;
    let d: Vec<i64> = date
        .split('-')
        .map(|x| x.parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [y, mo, da] = d.as_slice() else {
        return Err(bad());
    };
    // Split the zone off the time.
    let (time, zone_ms) = if let Some(t) = rest.strip_suffix('Z') {
        (t, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let z = &rest[i + 1..];
        let digits: String = z.chars().filter(|c| *c != ':').collect();
        if digits.len() != 4 {
            return Err(bad());
        }
        let h: i64 = digits[..2].parse().map_err(|_| bad())?;
        let m: i64 = digits[2..].parse().map_err(|_| bad())?;
        let sign = if rest.as_bytes()[i] == b'-' { -1 } else { 1 };
        (&rest[..i], sign * (h * 60 + m) * 60_000)
    } else {
        (rest, 0)
    };
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let t: Vec<i64> = hms
        .split(':')
        .map(|x| x.parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [h, mi, se] = t.as_slice() else {
        return Err(bad());
    };
    let ms: i64 = format!("{:0<3}", &frac[..frac.len().min(3)])
        .parse()
        .map_err(|_| bad())?;
    if !(1..=12).contains(mo) || !(1..=31).contains(da) || *h > 23 || *mi > 59 || *se > 60 {
        return Err(bad());
    }
    let days = days_from_civil(*y, *mo, *da);
    Ok(((days * 24 + h) * 60 + mi) * 60_000 + se * 1000 + ms - zone_ms)
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Milliseconds in an ISO-8601 duration such as `PT1H`, `P1DT2H30M`, `PT0.5S`.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let bad = || {
        format!("Invalid duration '{s}': expected ISO-8601 'PnDTnHnMn.nS', e.g. PT1H or P1DT12H")
    };
    let body = s.trim().strip_prefix(['P', 'p']).ok_or_else(bad)?;
    let (days_part, time_part) = match body.split_once(['T', 't']) {
        Some((d, t)) => (d, t),
        None => (body, ""),
    };
    let mut ms = 0f64;
    let mut num = String::new();
    for c in days_part.chars() {
        match c {
            '0'..='9' | '-' => num.push(c),
            'D' | 'd' => {
                ms += num.parse::<f64>().map_err(|_| bad())? * 86_400_000.0;
                num.clear();
            }
            _ => return Err(bad()),
        }
    }
    if !num.is_empty() {
        return Err(bad());
    }
    for c in time_part.chars() {
        let unit = match c {
            '0'..='9' | '.' | '-' => {
                num.push(c);
                continue;
            }
            'H' | 'h' => 3_600_000.0,
            'M' | 'm' => 60_000.0,
            'S' | 's' => 1_000.0,
            _ => return Err(bad()),
        };
        ms += num.parse::<f64>().map_err(|_| bad())? * unit;
        num.clear();
    }
    if !num.is_empty() || (days_part.is_empty() && time_part.is_empty()) {
        return Err(bad());
    }
    Ok(ms as i64)
}

/// Now, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes() {
        assert_eq!(parse_datetime("1970-01-01T00:00:00.000").unwrap(), 0);
        assert_eq!(
            parse_datetime("2021-01-01T00:00:00Z").unwrap(),
            1_609_459_200_000
        );
        assert_eq!(
            parse_datetime("2021-01-01T09:00:00.000+09:00").unwrap(),
            1_609_459_200_000
        );
        assert!(parse_datetime("yesterday").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT1H").unwrap(), 3_600_000);
        assert_eq!(parse_duration("P1DT30M").unwrap(), 86_400_000 + 1_800_000);
        assert_eq!(parse_duration("PT0.5S").unwrap(), 500);
        assert!(parse_duration("1h").is_err());
    }
}

/// `yyyy-MM-dd HH:mm:ss:SSS` (UTC), the perf tools' date format.
pub fn format_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}:{:03}",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod format_tests {
    #[test]
    fn formats_epoch_ms() {
        assert_eq!(
            super::format_ms(1_609_459_200_123),
            "2021-01-01 00:00:00:123"
        );
    }
}
