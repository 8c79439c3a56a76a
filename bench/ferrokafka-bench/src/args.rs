//! Command-line flags in Apache Kafka's perf-tool style: `--name value`, `--name v1 v2 ...` for
//! property lists (`--producer-props k=v k=v`), and `k=v` properties files.
//!
//! Owns parsing only; each binary decides which flags it needs.

use std::collections::HashMap;

/// Parsed flags: the values given after each `--flag`, in order.
#[derive(Debug, Default)]
pub struct Args {
    flags: HashMap<String, Vec<String>>,
}

impl Args {
    /// Parses `argv` (without the program name). A flag takes every following non-flag word.
    pub fn parse(argv: impl IntoIterator<Item = String>) -> Result<Args, String> {
        let mut flags: HashMap<String, Vec<String>> = HashMap::new();
        let mut current: Option<String> = None;
        for a in argv {
            if let Some(name) = a.strip_prefix("--") {
                flags.entry(name.to_string()).or_default();
                current = Some(name.to_string());
            } else if let Some(name) = &current {
                flags.entry(name.clone()).or_default().push(a);
            } else {
                return Err(format!(
                    "unexpected argument {a:?}: flags look like --name value"
                ));
            }
        }
        Ok(Args { flags })
    }

    /// Whether `--name` was given.
    pub fn has(&self, name: &str) -> bool {
        self.flags.contains_key(name)
    }

    /// The single value of `--name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.flags
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    /// The value of a required `--name`.
    pub fn required(&self, name: &str) -> Result<&str, String> {
        self.get(name)
            .ok_or_else(|| format!("--{name} is required"))
    }

    /// `--name` parsed as a number, or `default`.
    pub fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name} {v:?} is not a number")),
        }
    }

    /// `key=value` pairs given after `--name` (Kafka's `--producer-props a=b c=d`).
    pub fn properties(&self, name: &str) -> Result<Vec<(String, String)>, String> {
        let mut out = Vec::new();
        for p in self.flags.get(name).into_iter().flatten() {
            let (k, v) = p
                .split_once('=')
                .ok_or_else(|| format!("--{name} {p:?}: expected key=value"))?;
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
        Ok(out)
    }
}

/// Reads a Java properties file (`key=value` lines, `#` comments).
pub fn read_properties(path: &str) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Args {
        Args::parse(s.split_whitespace().map(String::from)).unwrap()
    }

    #[test]
    fn flags_values_and_property_lists() {
        let a = args("--topic t --num-records 10 --producer-props acks=all linger.ms=5 --json");
        assert_eq!(a.get("topic"), Some("t"));
        assert_eq!(a.number("num-records", 0u64).unwrap(), 10);
        assert_eq!(a.number("record-size", 7usize).unwrap(), 7);
        assert!(a.has("json"));
        assert_eq!(
            a.properties("producer-props").unwrap(),
            vec![
                ("acks".to_string(), "all".to_string()),
                ("linger.ms".to_string(), "5".to_string())
            ]
        );
        assert!(a.required("missing").is_err());
        assert!(args("--num-records x").number("num-records", 0u64).is_err());
        assert!(Args::parse(["stray".to_string()]).is_err());
    }
}
