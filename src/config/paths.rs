//! Where costscope looks for its store file and keeps its cache and logs.
//!
//! Store lookup order (docs/user-guide.md): `--store`, `$COSTSCOPE_STORE`,
//! `./federated-store.yaml`, then the user config dir. Directories come from the `directories`
//! crate with `ProjectDirs::from("dev", "costscope", "costscope")` (on Linux:
//! `~/.config/costscope`, `~/.cache/costscope`, `~/.local/state/costscope`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;

use super::error::ConfigError;

/// Environment variable naming the store file (second in the lookup order).
pub const STORE_ENV: &str = "COSTSCOPE_STORE";

/// File name looked for in the working directory and in the user config dir.
pub const STORE_FILE_NAME: &str = "federated-store.yaml";

/// Environment variable that, when set and non-empty, replaces [`cache_dir`]'s platform path.
pub const CACHE_DIR_ENV: &str = "COSTSCOPE_CACHE_DIR";

/// Environment variable that, when set and non-empty, replaces [`state_dir`]'s platform path.
pub const STATE_DIR_ENV: &str = "COSTSCOPE_STATE_DIR";

/// costscope's platform directories, or `None` when no home directory can be determined.
pub fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("dev", "costscope", "costscope")
}

/// Finds the objstore YAML to use, in this order:
/// 1. `cli` (the `--store FILE` argument),
/// 2. `$COSTSCOPE_STORE`,
/// 3. `./federated-store.yaml`,
/// 4. `<user config dir>/federated-store.yaml` (e.g. `~/.config/costscope/federated-store.yaml`).
///
/// With `demo` (the `--demo` flag) the demo's store file ([`demo_store_file`]) is used instead, and
/// only then: a command that finds no store never falls back to the demo's costs (a cron job that
/// lost its config must fail, not report fake figures).
///
/// An explicit path (1 or 2) that does not exist is an error rather than a reason to keep looking,
/// so a typo is never silently replaced by another bucket. Errors: [`ConfigError::NotFound`]
/// listing every place looked at (a usage error: exit 2). The returned path is as given (not
/// canonicalised).
pub fn find_store_file(cli: Option<&Path>, demo: bool) -> Result<PathBuf, ConfigError> {
    if demo {
        let file = demo_store_file();
        return match cli {
            Some(_) => Err(ConfigError::NotFound {
                looked: vec!["--demo and --store both given: choose one".to_string()],
            }),
            None if file.is_file() => Ok(file),
            None => Err(ConfigError::NotFound {
                looked: vec![format!(
                    "{} from --demo (no demo written yet: run `costscope demo`)",
                    file.display()
                )],
            }),
        };
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let config_dir = project_dirs().map(|d| d.config_dir().to_path_buf());
    find_in(cli, std::env::var_os(STORE_ENV), &cwd, config_dir.as_deref())
}

/// Where `costscope demo` writes its store file by default: `<cache dir>/demo/federated-store.yaml`
/// (what `--demo` opens).
pub fn demo_store_file() -> PathBuf {
    cache_dir().join("demo").join(STORE_FILE_NAME)
}

/// [`find_store_file`] with its inputs passed in (testable without touching the process env).
fn find_in(cli: Option<&Path>, env: Option<OsString>, cwd: &Path, config_dir: Option<&Path>) -> Result<PathBuf, ConfigError> {
    if let Some(p) = cli {
        return explicit(p, "--store");
    }
    if let Some(v) = env.filter(|v| !v.is_empty()) {
        return explicit(Path::new(&v), &format!("${STORE_ENV}"));
    }
    let mut looked = vec!["--store (not given)".to_string(), format!("${STORE_ENV} (not set)")];
    let local = cwd.join(STORE_FILE_NAME);
    if local.is_file() {
        return Ok(PathBuf::from(".").join(STORE_FILE_NAME));
    }
    looked.push(format!("{} (no such file)", local.display()));
    match config_dir {
        Some(dir) => {
            let user = dir.join(STORE_FILE_NAME);
            if user.is_file() {
                return Ok(user);
            }
            looked.push(format!("{} (no such file)", user.display()));
        }
        None => looked.push("user config dir (no home directory found)".to_string()),
    }
    Err(ConfigError::NotFound { looked })
}

fn explicit(p: &Path, from: &str) -> Result<PathBuf, ConfigError> {
    if p.is_file() {
        Ok(p.to_path_buf())
    } else {
        let why = if p.exists() { "not a regular file" } else { "no such file" };
        Err(ConfigError::NotFound {
            looked: vec![format!("{} from {from} ({why})", p.display())],
        })
    }
}

/// Directory for re-creatable data (the per-store DuckDB files, downloaded objects):
/// `$COSTSCOPE_CACHE_DIR` if set, else the platform cache dir (`~/.cache/costscope` on Linux,
/// `~/Library/Caches/dev.costscope.costscope` on macOS), else `<temp dir>/costscope` when no home
/// directory exists. Not created here.
pub fn cache_dir() -> PathBuf {
    if let Some(v) = std::env::var_os(CACHE_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(v);
    }
    project_dirs()
        .map(|d| d.cache_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("costscope"))
}

/// Directory for logs and other state: `$COSTSCOPE_STATE_DIR` if set, else the platform state
/// dir (`~/.local/state/costscope` on Linux), else — on platforms without one (macOS, Windows) —
/// [`cache_dir`]. Not created here.
pub fn state_dir() -> PathBuf {
    if let Some(v) = std::env::var_os(STATE_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(v);
    }
    project_dirs()
        .and_then(|d| d.state_dir().map(Path::to_path_buf))
        .unwrap_or_else(cache_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_order_and_error_lists_every_place() {
        let tmp = tempfile::tempdir().unwrap();
        let cwd = tmp.path().join("cwd");
        let cfg = tmp.path().join("cfg");
        std::fs::create_dir_all(&cwd).unwrap();
        std::fs::create_dir_all(&cfg).unwrap();

        // Nothing anywhere: error lists all four places.
        let err = find_in(None, None, &cwd, Some(&cfg)).unwrap_err().to_string();
        assert!(err.contains("--store"), "{err}");
        assert!(err.contains("$COSTSCOPE_STORE"), "{err}");
        assert!(err.contains(&cwd.join(STORE_FILE_NAME).display().to_string()), "{err}");
        assert!(err.contains(&cfg.join(STORE_FILE_NAME).display().to_string()), "{err}");

        // User config dir is the last resort.
        std::fs::write(cfg.join(STORE_FILE_NAME), "type: MEMORY\n").unwrap();
        assert_eq!(find_in(None, None, &cwd, Some(&cfg)).unwrap(), cfg.join(STORE_FILE_NAME));

        // ./federated-store.yaml beats it. (find_in checks cwd.join(..) but returns a ./ path,
        // which is only meaningful when cwd is the process's working directory.)
        std::fs::write(cwd.join(STORE_FILE_NAME), "type: MEMORY\n").unwrap();
        assert_eq!(
            find_in(None, None, &cwd, Some(&cfg)).unwrap(),
            PathBuf::from(".").join(STORE_FILE_NAME)
        );

        // $COSTSCOPE_STORE beats both, and --store beats the variable.
        let env_file = tmp.path().join("env.yaml");
        let cli_file = tmp.path().join("cli.yaml");
        std::fs::write(&env_file, "type: MEMORY\n").unwrap();
        std::fs::write(&cli_file, "type: MEMORY\n").unwrap();
        let env = Some(env_file.clone().into_os_string());
        assert_eq!(find_in(None, env.clone(), &cwd, Some(&cfg)).unwrap(), env_file);
        assert_eq!(find_in(Some(&cli_file), env, &cwd, Some(&cfg)).unwrap(), cli_file);
    }

    #[test]
    fn explicit_missing_path_is_an_error_not_a_fallthrough() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(STORE_FILE_NAME), "type: MEMORY\n").unwrap();
        let missing = tmp.path().join("typo.yaml");
        let err = find_in(Some(&missing), None, tmp.path(), None).unwrap_err().to_string();
        assert!(err.contains("typo.yaml from --store (no such file)"), "{err}");
        let env = Some(missing.clone().into_os_string());
        let err = find_in(None, env, tmp.path(), None).unwrap_err().to_string();
        assert!(err.contains("from $COSTSCOPE_STORE"), "{err}");
    }

    #[test]
    fn dirs_are_absolute_or_overridable() {
        // Only checks shape: the platform dirs depend on the machine.
        assert!(!cache_dir().as_os_str().is_empty());
        assert!(!state_dir().as_os_str().is_empty());
    }
}
