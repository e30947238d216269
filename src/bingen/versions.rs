//! Codec version sets (OpenCost `opencost_codecs.go` constants `DefaultCodecVersion`,
//! `AssetsCodecVersion`, `AllocationCodecVersion`, `CloudCostCodecVersion`).

use serde::Serialize;

/// The version byte to write (or the newest accepted) for each bingen version set.
///
/// Every generated struct starts with the version of its set; a field tagged
/// `@bingen:field[version=N]` is on the wire only when that byte is ≥ N.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Versions {
    /// Allocation set: Allocation, AllocationProperties, AllocationSet, PVKey, PVAllocation, ...
    pub allocation: u8,
    /// Assets set: AssetSet, Node, Disk, ..., AssetProperties, Breakdown, NodeOverhead.
    pub assets: u8,
    /// CloudCost set: CloudCostSet, CloudCost, CloudCostProperties, CostMetric.
    pub cloudcost: u8,
    /// Default set: Window.
    pub window: u8,
}

impl Versions {
    /// The newest versions this codec reads and, by default, writes (OpenCost codec of 2025-10-27).
    pub const CURRENT: Versions = Versions {
        allocation: 24,
        assets: 21,
        cloudcost: 3,
        window: 18,
    };
    /// The oldest layouts this codec reads (bingen-format spec: v15 is the oldest supported layout).
    pub const OLDEST: Versions = Versions {
        allocation: 15,
        assets: 15,
        cloudcost: 1,
        window: 15,
    };

    /// Version for a family.
    pub fn get(&self, f: Family) -> u8 {
        match f {
            Family::Allocation => self.allocation,
            Family::Assets => self.assets,
            Family::CloudCost => self.cloudcost,
            Family::Default => self.window,
        }
    }
}

impl Default for Versions {
    fn default() -> Self {
        Versions::CURRENT
    }
}

/// A bingen version set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Allocation,
    Assets,
    CloudCost,
    /// The "Default" set, which holds `Window`.
    Default,
}

/// Which version bytes were seen while decoding one file, per family (bit `v` set = version `v` seen).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeenVersions {
    bits: [u32; 4],
}

impl SeenVersions {
    pub(crate) fn record(&mut self, f: Family, v: u8) {
        self.bits[f as usize] |= 1u32 << (v & 31);
    }
    /// Versions seen for `f`, ascending.
    pub fn of(&self, f: Family) -> Vec<u8> {
        (0..32u8).filter(|v| self.bits[f as usize] & (1 << v) != 0).collect()
    }
    /// Highest version seen for `f`.
    pub fn max(&self, f: Family) -> Option<u8> {
        self.of(f).last().copied()
    }
    /// The versions seen, by family, as one line: `allocation 24, window 18` (several versions of
    /// one family as `assets 20/21`); empty when nothing was decoded.
    pub fn describe(&self) -> String {
        [
            (Family::Allocation, "allocation"),
            (Family::Assets, "assets"),
            (Family::CloudCost, "cloudcost"),
            (Family::Default, "window"),
        ]
        .iter()
        .filter_map(|&(f, name)| {
            let vs = self.of(f);
            (!vs.is_empty()).then(|| {
                let list: Vec<String> = vs.iter().map(u8::to_string).collect();
                format!("{name} {}", list.join("/"))
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
    }
    /// Versions to re-encode this file with its own versions (current where a family was not seen).
    pub fn as_versions(&self) -> Versions {
        let c = Versions::CURRENT;
        Versions {
            allocation: self.max(Family::Allocation).unwrap_or(c.allocation),
            assets: self.max(Family::Assets).unwrap_or(c.assets),
            cloudcost: self.max(Family::CloudCost).unwrap_or(c.cloudcost),
            window: self.max(Family::Default).unwrap_or(c.window),
        }
    }
}
