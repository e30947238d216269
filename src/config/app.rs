//! The app config file: costscope's own settings, separate from the store file.
//!
//! Looked up at `$COSTSCOPE_CONFIG`, else `<user config dir>/config.yaml` (on Linux
//! `~/.config/costscope/config.yaml`); a missing file means every default. Today it holds the
//! label config of the alias fields and aggregate keys (`docs/user-guide.md`, "Label aliases"):
//!
//! ```yaml
//! labels:
//!   environment: env        # OpenCost defaults: department, env, owner, app, team
//!   product: app.kubernetes.io/name   # sanitized to app_kubernetes_io_name
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::ConfigError;
use super::objstore::yaml;
use crate::query::LabelConfig;

/// Environment variable naming the app config file.
pub const CONFIG_ENV: &str = "COSTSCOPE_CONFIG";

/// costscope's settings. Unknown keys are errors naming their line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppConfig {
    /// Which label each alias (`department`, `environment`, `owner`, `product`, `team`) reads.
    pub labels: LabelConfig,
}

impl AppConfig {
    /// Where the app config is read from: `$COSTSCOPE_CONFIG` when set and non-empty, else
    /// `<user config dir>/config.yaml`; `None` without a home directory.
    pub fn path() -> Option<PathBuf> {
        match std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()) {
            Some(p) => Some(PathBuf::from(p)),
            None => super::project_dirs().map(|d| d.config_dir().join("config.yaml")),
        }
    }

    /// Reads [`AppConfig::path`]. A default-location file that does not exist gives the
    /// defaults; `$COSTSCOPE_CONFIG` naming a missing file is an error (a typo never silently
    /// means "defaults").
    ///
    /// Errors: [`ConfigError::Read`], or [`ConfigError::Yaml`] (`config.yaml:3:5: unknown field …`).
    pub fn load() -> Result<AppConfig, ConfigError> {
        let explicit = std::env::var_os(CONFIG_ENV).is_some_and(|v| !v.is_empty());
        match Self::path() {
            Some(p) if explicit || p.is_file() => Self::load_from(&p),
            _ => Ok(AppConfig::default()),
        }
    }

    /// Reads and parses `path`. Errors as [`AppConfig::load`].
    pub fn load_from(path: &Path) -> Result<AppConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses YAML `text`; `file` names it in errors. An empty document is the defaults.
    pub fn parse(text: &str, file: &str) -> Result<AppConfig, ConfigError> {
        if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
            return Ok(AppConfig::default());
        }
        yaml(text, file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::LabelAlias;

    #[test]
    fn defaults_partial_and_errors() {
        assert_eq!(AppConfig::parse("# nothing\n", "c.yaml").unwrap(), AppConfig::default());
        let c = AppConfig::parse("labels:\n  product: app.kubernetes.io/name\n", "c.yaml").unwrap();
        assert_eq!(c.labels.key(LabelAlias::Product), "app_kubernetes_io_name");
        assert_eq!(c.labels.key(LabelAlias::Environment), "env");
        let e = AppConfig::parse("labels:\n  teams: x\n", "c.yaml").unwrap_err().to_string();
        assert!(e.starts_with("c.yaml:2:"), "{e}");
        assert!(e.contains("teams"), "{e}");
    }
}
