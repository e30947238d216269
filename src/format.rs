//! Numbers as people read them in a cost tool, shared by the command-line table and the TUI:
//! money like Kubecost's UI (`$1,234.56`), ratios as percentages, cores, IEC byte sizes,
//! thousands separators. Non-finite values print as `—` (a division by a zero request, say).

use crate::query::Unit;

/// A comparison as text (`--compare`'s table, the TUI's `D` columns): previous cost, signed Δ
/// (`+$12.30`, no `+` when it rounds to $0.00) and Δ % (`+25.0%`; `new` / `gone` for a row only in
/// one window; `—` when the previous cost is 0).
pub fn delta_texts(d: &crate::query::compare::Delta) -> [String; 3] {
    use crate::query::compare::Change;
    let pct = match (d.change, d.delta_ratio) {
        (Change::New, _) => "new".to_string(),
        (Change::Gone, _) => "gone".to_string(),
        (_, Some(r)) => format!("{}{}", if r > 0.0 { "+" } else { "" }, percent(r)),
        (_, None) => "—".to_string(),
    };
    let sign = if d.delta > 0.0 && !money(d.delta).starts_with("$0.00") {
        "+"
    } else {
        ""
    };
    [money(d.previous), format!("{sign}{}", money(d.delta)), pct]
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// US dollars with cents and thousands separators: `1234.5` → `$1,234.50`, `-3` → `-$3.00`.
/// Non-finite values print as `—`.
pub fn money(usd: f64) -> String {
    if !usd.is_finite() {
        return "—".into();
    }
    let cents = (usd.abs() * 100.0).round() as u64;
    let sign = if usd < 0.0 && cents > 0 { "-" } else { "" };
    format!("{sign}${}.{:02}", thousands(cents / 100), cents % 100)
}

/// Whether `usd` prints as a negative amount: below zero by at least half a cent, so `-0.001`
/// (rounding noise, printed `$0.00`) is not flagged.
pub fn is_negative(usd: f64) -> bool {
    usd <= -0.005
}

/// A ratio (1.0 = 100 %) as a percentage with one decimal: `0.4523` → `45.2%`. Non-finite
/// values print as `—`.
pub fn percent(ratio: f64) -> String {
    if !ratio.is_finite() {
        return "—".into();
    }
    format!("{:.1}%", ratio * 100.0)
}

/// CPU cores with three decimals: `1.5` → `1.500`.
pub fn cores(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    format!("{v:.3}")
}

/// Bytes in IEC units with one decimal: `1536` → `1.5 KiB`, `3 * 2^30` → `3.0 GiB`.
pub fn bytes(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut x = v.abs();
    let mut unit = 0;
    while x >= 1024.0 && unit < UNITS.len() - 1 {
        x /= 1024.0;
        unit += 1;
    }
    let sign = if v < 0.0 { "-" } else { "" };
    if unit == 0 {
        format!("{sign}{x:.0} B")
    } else {
        format!("{sign}{x:.1} {}", UNITS[unit])
    }
}

/// A compact count or rate: `950` → `950`, `45_200` → `45.2k`, `3_100_000` → `3.1M`.
pub fn compact(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

/// A value in the unit of its column (money, percent, cores, bytes or a count).
pub fn value(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Usd => money(v),
        Unit::Ratio => percent(v),
        Unit::Cores => cores(v),
        Unit::Bytes => bytes(v),
        Unit::Hours if v.is_finite() => format!("{v:.2} h"),
        Unit::Hours => "—".into(),
        Unit::ByteHours => format!("{}·h", bytes(v)),
        Unit::Count if v.is_finite() && v >= 0.0 => thousands(v.round() as u64),
        Unit::Count => "—".into(),
    }
}

/// Digits after the point machine output keeps: 1e-10 of a USD, a core or a byte is far below
/// anything Kubecost reports, and above f64's noise on sums of a few thousand terms.
pub const MACHINE_DECIMALS: usize = 10;

/// A value for machine output (CSV, JSON) in its column's unit: counts as whole numbers, other
/// values rounded to [`MACHINE_DECIMALS`] places, so a sum that cancels to
/// `-0.00000000000005684…` reads `0` (issue 28); `None` for NaN and infinities.
pub fn machine_value(unit: Unit, v: f64) -> Option<MachineNumber> {
    if !v.is_finite() {
        return None;
    }
    Some(match unit {
        Unit::Count => MachineNumber::Int(v.round() as i64),
        Unit::Usd | Unit::Ratio | Unit::Cores | Unit::Bytes | Unit::Hours | Unit::ByteHours => {
            let scale = 10f64.powi(MACHINE_DECIMALS as i32);
            let r = (v * scale).round() / scale;
            // Beyond 2^53 / scale the rounding would only add error: keep such values as they are.
            let r = if v.abs() < 9.0e15 / scale { r } else { v };
            MachineNumber::Float(if r == 0.0 { 0.0 } else { r })
        }
    })
}

/// A number as [`machine_value`] gives it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MachineNumber {
    /// A whole count.
    Int(i64),
    /// Anything else.
    Float(f64),
}

impl std::fmt::Display for MachineNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MachineNumber::Int(n) => write!(f, "{n}"),
            MachineNumber::Float(v) => write!(f, "{v}"),
        }
    }
}

impl serde::Serialize for MachineNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MachineNumber::Int(n) => s.serialize_i64(*n),
            MachineNumber::Float(v) => s.serialize_f64(*v),
        }
    }
}

/// `s` safe to print on a terminal: every control character (ESC, CR, BEL, …) written as its
/// escape (`\u{1b}`), so a label or pod name cannot move the cursor or recolour the screen. Plain
/// text comes back borrowed.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {

    #[test]
    fn control_characters_are_escaped_for_terminals() {
        assert_eq!(printable("web-7d9f"), "web-7d9f");
        assert!(matches!(printable("plain"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(printable("a\x1b[31mred\r\x07"), "a\\u{1b}[31mred\\r\\u{7}");
        assert!(!printable("\x1b]0;title\x07").chars().any(char::is_control));
    }

    use super::*;

    #[test]
    fn money_and_counts() {
        assert_eq!(money(1234.555), "$1,234.56");
        assert_eq!(money(0.0), "$0.00");
        assert_eq!(money(-3.0), "-$3.00");
        assert_eq!(money(-0.001), "$0.00");
        assert_eq!(money(1_234_567.0), "$1,234,567.00");
        assert_eq!(money(f64::NAN), "—");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(123), "123");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(percent(0.4523), "45.2%");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes(3.0 * 1024.0 * 1024.0 * 1024.0), "3.0 GiB");
        assert_eq!(compact(45_200.0), "45.2k");
        assert_eq!(value(Unit::Count, 1234.0), "1,234");
        let m = |u, v| machine_value(u, v).map(|n| n.to_string());
        assert_eq!(m(Unit::Usd, -0.00000000000005684341886080802).as_deref(), Some("0"));
        assert_eq!(m(Unit::Usd, 0.1 + 0.2).as_deref(), Some("0.3"));
        assert_eq!(m(Unit::Usd, 1234.5678).as_deref(), Some("1234.5678"));
        assert_eq!(m(Unit::Count, 22.0).as_deref(), Some("22"));
        assert_eq!(m(Unit::Bytes, 3.0e18).as_deref(), Some("3000000000000000000"));
        assert_eq!(m(Unit::Ratio, f64::NAN), None);
    }
}
