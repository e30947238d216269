//! The typed answer of a query, as `--format json` prints it (and as a server would send it):
//! one page ([`PageOut`]) or one page per step ([`StepsOut`]), each row with its Kubecost JSON
//! column names, and — when asked — the sharing settings, the report header and each row's
//! source objects. Built from a [`Page`] without copying it; numbers go through
//! [`crate::format::machine_value`] (counts whole, no float noise, NaN as `null`).
//!
//! Shapes (docs/user-guide.md, "JSON"): `{"window": {"start", "end"}, "offset", "limit",
//! "totalRows", "rate", "coveredHours", "totals": {<column>: n}, "data": [{"name", "properties",
//! <column>: n, "sources"?}], "sharing"?, "report"?}`; with `--compare` every row and the totals
//! add `"previous", "delta", "deltaPercent", "change"` and the page `"previousWindow"`; with `--project-month` they add `"monthToDate", "projectedMonth"` and the
//! page `"projection": {"month", "now", "runRateWindow", "runRateHours"}`; steps:
//! `{"window", "accumulate", "data": [<page>], "sharing"?, "report"?}`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::audit::report::ReportHeader;
use crate::format::machine_value;
use crate::query::compare::{ComparedPage, Delta};
use crate::query::projection::{ProjectedPage, Projection};
use crate::query::{DataKind, Page, Sharing, SourceObject, Window, columns};

/// A window as RFC 3339 instants (`end` exclusive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WindowOut {
    pub start: String,
    pub end: String,
}

impl WindowOut {
    /// `w`'s bounds.
    pub fn of(w: &Window) -> WindowOut {
        WindowOut {
            start: w.start.to_rfc3339(),
            end: w.end.to_rfc3339(),
        }
    }

    /// Bounds given as unix seconds (an unrepresentable instant prints empty).
    pub fn of_unix(start: i64, end: i64) -> WindowOut {
        let t = |s: i64| chrono::DateTime::from_timestamp(s, 0).map(|d| d.to_rfc3339()).unwrap_or_default();
        WindowOut {
            start: t(start),
            end: t(end),
        }
    }
}

/// One value per column of `kind` (in registry order), keyed by its Kubecost JSON name.
#[derive(Clone, Copy, Debug)]
pub struct Values<'a> {
    kind: DataKind,
    values: &'a [f64],
}

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let cols = columns(self.kind);
        let mut map = s.serialize_map(Some(cols.len().min(self.values.len())))?;
        for (c, v) in cols.iter().zip(self.values) {
            map.serialize_entry(c.json(), &machine_value(c.unit, *v))?;
        }
        map.end()
    }
}

/// One source object of a row (`--provenance`): key, sha256, window and the items used.
#[derive(Clone, Debug, Serialize)]
pub struct SourceOut<'a> {
    pub key: &'a str,
    pub sha256: &'a str,
    pub window: WindowOut,
    pub rows: u64,
}

impl<'a> From<&'a SourceObject> for SourceOut<'a> {
    fn from(s: &'a SourceObject) -> Self {
        SourceOut {
            key: &s.key,
            sha256: &s.sha256,
            window: WindowOut::of_unix(s.window_start, s.window_end),
            rows: s.rows,
        }
    }
}

/// One row: name, aggregate properties, the column values and, with `--provenance`, sources;
/// with `--compare`, its comparison ([`DeltaOut`]).
#[derive(Clone, Debug, Serialize)]
pub struct RowOut<'a> {
    pub name: &'a str,
    pub properties: &'a BTreeMap<String, String>,
    #[serde(flatten)]
    pub values: Values<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<SourceOut<'a>>>,
    #[serde(flatten)]
    pub compare: Option<DeltaOut>,
    /// With `--project-month`: `monthToDate`, `projectedMonth` (docs/semantics.md §17).
    #[serde(flatten)]
    pub projection: Option<Projection>,
}

/// A row's or the totals' comparison with another window (`--compare`, docs/semantics.md §12):
/// `previous` cost and `delta` (USD of `totalCost`, `cost` for cloud costs), `deltaPercent`
/// (null when previous is 0) and `change` (`both`, `new`, `gone`).
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeltaOut {
    pub previous: f64,
    pub delta: f64,
    pub delta_percent: Option<f64>,
    pub change: &'static str,
}

impl From<&Delta> for DeltaOut {
    fn from(d: &Delta) -> DeltaOut {
        DeltaOut {
            previous: d.previous,
            delta: d.delta,
            delta_percent: d.delta_ratio.map(|r| r * 100.0),
            change: d.change.name(),
        }
    }
}

/// The totals of a page: the column values and, with `--compare`, their comparison.
#[derive(Clone, Debug, Serialize)]
pub struct TotalsOut<'a> {
    #[serde(flatten)]
    pub values: Values<'a>,
    #[serde(flatten)]
    pub compare: Option<DeltaOut>,
    /// With `--project-month`: `monthToDate`, `projectedMonth`.
    #[serde(flatten)]
    pub projection: Option<Projection>,
}

/// The windows of a month projection (`--project-month`): the month, "now" (the end of the
/// newest data), the run-rate window and the hours of data in it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MonthOut {
    pub month: WindowOut,
    pub now: String,
    pub run_rate_window: WindowOut,
    pub run_rate_hours: f64,
}

/// The report header (`--report-header`, `--manifest`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportOut<'a> {
    pub store: &'a str,
    pub window: WindowOut,
    pub query: &'a str,
    pub costscope_version: &'a str,
    pub manifest_sha256: Option<&'a str>,
}

impl<'a> From<&'a ReportHeader> for ReportOut<'a> {
    fn from(h: &'a ReportHeader) -> Self {
        ReportOut {
            store: &h.store,
            window: WindowOut::of(&h.window),
            query: &h.query,
            costscope_version: &h.version,
            manifest_sha256: h.manifest_sha256.as_deref(),
        }
    }
}

/// One page of a query.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageOut<'a> {
    pub window: WindowOut,
    pub offset: usize,
    pub limit: usize,
    pub total_rows: usize,
    /// `cumulative`, `hourly`, `daily` or `monthly`.
    pub rate: &'static str,
    /// Hours of data the result covers.
    pub covered_hours: f64,
    pub totals: TotalsOut<'a>,
    pub data: Vec<RowOut<'a>>,
    /// The window compared with (`--compare`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_window: Option<WindowOut>,
    /// The projection's windows (`--project-month`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projection: Option<MonthOut>,
    /// Present when anything is shared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing: Option<&'a Sharing>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportOut<'a>>,
}

impl<'a> PageOut<'a> {
    /// `page` of a `kind` query over `window`, without sharing, report or sources.
    pub fn new(kind: DataKind, page: &'a Page, window: &Window) -> PageOut<'a> {
        PageOut {
            window: WindowOut::of(window),
            offset: page.offset,
            limit: page.limit,
            total_rows: page.total_rows,
            rate: page.rate.name(),
            covered_hours: page.covered_hours,
            totals: TotalsOut {
                values: Values {
                    kind,
                    values: &page.totals.values,
                },
                compare: None,
                projection: None,
            },
            data: page
                .rows
                .iter()
                .map(|r| RowOut {
                    name: &r.name,
                    properties: &r.properties,
                    values: Values { kind, values: &r.values },
                    sources: None,
                    compare: None,
                    projection: None,
                })
                .collect(),
            previous_window: None,
            projection: None,
            sharing: None,
            report: None,
        }
    }

    /// Add a comparison ([`crate::query::compare::compare`]): per row (`deltas[i]` for row `i`),
    /// to the totals, and the window compared with.
    pub fn with_compare(mut self, c: &ComparedPage) -> Self {
        for (row, d) in self.data.iter_mut().zip(&c.deltas) {
            row.compare = Some(d.into());
        }
        self.totals.compare = Some((&c.totals).into());
        self.previous_window = Some(WindowOut::of(&c.previous_window));
        self
    }

    /// Add a month projection ([`crate::query::projection::project`]): per row, to the totals,
    /// and its windows.
    pub fn with_projection(mut self, p: &ProjectedPage) -> Self {
        for (row, x) in self.data.iter_mut().zip(&p.rows) {
            row.projection = Some(*x);
        }
        self.totals.projection = Some(p.totals);
        self.projection = Some(MonthOut {
            month: WindowOut::of(&p.month.month),
            now: p.month.now.to_rfc3339(),
            run_rate_window: WindowOut::of(&p.month.run_rate),
            run_rate_hours: p.run_rate_hours,
        });
        self
    }

    /// Give each row its sources (`all[i]` for row `i`).
    pub fn with_sources(mut self, all: &'a [Vec<SourceObject>]) -> Self {
        for (row, s) in self.data.iter_mut().zip(all) {
            row.sources = Some(s.iter().map(SourceOut::from).collect());
        }
        self
    }
}

/// Cost over time: one page per step, oldest first (Kubecost's `accumulate=false` answers a list
/// of sets).
#[derive(Clone, Debug, Serialize)]
pub struct StepsOut<'a> {
    pub window: WindowOut,
    /// The `--accumulate` / `--step` in words (`1d steps`).
    pub accumulate: String,
    pub data: Vec<PageOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing: Option<&'a Sharing>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportOut<'a>>,
}

impl<'a> StepsOut<'a> {
    /// The steps of a `kind` query over `window`.
    pub fn new(kind: DataKind, window: &Window, accumulate: String, steps: &'a [(Window, Page)]) -> StepsOut<'a> {
        StepsOut {
            window: WindowOut::of(window),
            accumulate,
            data: steps.iter().map(|(w, p)| PageOut::new(kind, p, w)).collect(),
            sharing: None,
            report: None,
        }
    }
}
