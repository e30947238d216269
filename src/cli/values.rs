//! clap's parsing of the query enums the options take (`--idle`, `--rate`, `--cost-metric`,
//! `--share-split`): each enum's own names and aliases are the accepted values, so `--help`, the
//! error that lists the accepted values and the parse are one definition. The enums stay free of
//! clap (the query layer does no I/O and knows no CLI); these impls live here.

use clap::ValueEnum;
use clap::builder::PossibleValue;

use crate::model::CostMetricName;
use crate::query::{CostRate, IdleMode, ShareSplit};

impl ValueEnum for IdleMode {
    fn value_variants<'a>() -> &'a [Self] {
        &IdleMode::ALL
    }
    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()).aliases(self.aliases().iter().copied()))
    }
}

impl ValueEnum for CostRate {
    fn value_variants<'a>() -> &'a [Self] {
        &CostRate::ALL
    }
    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

impl ValueEnum for CostMetricName {
    fn value_variants<'a>() -> &'a [Self] {
        &CostMetricName::ALL
    }
    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.json_name()))
    }
}

impl ValueEnum for ShareSplit {
    fn value_variants<'a>() -> &'a [Self] {
        &ShareSplit::ALL
    }
    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every alias `IdleMode::parse` knows is accepted on the command line, and nothing else.
    #[test]
    fn every_name_and_alias_parses_to_its_variant() {
        for m in IdleMode::ALL {
            for word in std::iter::once(m.name()).chain(m.aliases().iter().copied()) {
                assert_eq!(IdleMode::from_str(word, true), Ok(m), "{word}");
                assert_eq!(IdleMode::parse(word), Some(m), "{word}");
            }
        }
        assert!(IdleMode::from_str("bogus", true).is_err());
        assert_eq!(
            CostMetricName::from_str("AmortizedNetCost", true),
            Ok(CostMetricName::AmortizedNetCost)
        );
        assert_eq!(CostRate::from_str("monthly", false), Ok(CostRate::Monthly));
        assert_eq!(ShareSplit::from_str("even", false), Ok(ShareSplit::Even));
    }
}
