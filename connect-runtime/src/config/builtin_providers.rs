//! Apache's three config providers, under their class names: `FileConfigProvider` (keys of a
//! properties file), `DirectoryConfigProvider` (each file of a directory, by file name) and
//! `EnvVarConfigProvider` (environment variables). File and directory providers read only
//! under `allowed.paths` when it is set; the environment provider offers only variables that
//! match `allowlist.pattern` when it is set.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use connect_api::config::{ConfigData, ConfigProvider};
use connect_api::errors::{ConnectError, Result};

use super::properties::load_properties;

/// `allowed.paths`: the directories a provider may read under (Apache's `AllowedPaths`).
#[derive(Debug, Default)]
struct AllowedPaths(Option<Vec<PathBuf>>);

impl AllowedPaths {
    fn configure(params: &HashMap<String, String>) -> Result<AllowedPaths> {
        let Some(list) = params.get("allowed.paths") else {
            return Ok(AllowedPaths(None));
        };
        let mut paths = Vec::new();
        for p in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let path = PathBuf::from(p);
            if !path.is_absolute() {
                return Err(ConnectError::other(format!(
                    "Path {p} in allowed.paths is not absolute"
                )));
            }
            if !path.exists() {
                return Err(ConnectError::other(format!(
                    "Path {p} in allowed.paths does not exist"
                )));
            }
            paths.push(normalize(&path));
        }
        Ok(AllowedPaths(Some(paths)))
    }

    /// The path to read, or `None` (with a warning) when it lies outside the allowed paths.
    fn check(&self, path: &str) -> Option<PathBuf> {
        let normalized = normalize(Path::new(path));
        match &self.0 {
            Some(allowed) if !allowed.iter().any(|a| normalized.starts_with(a)) => {
                tracing::warn!("The path {path} is not allowed to be accessed");
                None
            }
            _ => Some(normalized),
        }
    }
}

/// `path` with `.` and `..` resolved lexically (as Java's `Path.normalize`), so that
/// `allowed/../secret` is judged where it points.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `org.apache.kafka.common.config.provider.FileConfigProvider`: `${file:/path/f.properties:key}`.
#[derive(Debug, Default)]
pub struct FileConfigProvider {
    allowed: AllowedPaths,
}

impl ConfigProvider for FileConfigProvider {
    fn configure(&mut self, params: &HashMap<String, String>) -> Result<()> {
        self.allowed = AllowedPaths::configure(params)?;
        Ok(())
    }

    fn get(&self, path: &str) -> Result<ConfigData> {
        if path.is_empty() {
            return Ok(ConfigData::default());
        }
        let Some(file) = self.allowed.check(path) else {
            return Ok(ConfigData::default());
        };
        let props = load_properties(&file).map_err(|e| {
            ConnectError::other(format!("Could not read properties from file {path}: {e}"))
        })?;
        Ok(ConfigData {
            data: props.into_iter().collect(),
            ttl: None,
        })
    }
}

/// `org.apache.kafka.common.config.provider.DirectoryConfigProvider`:
/// `${directory:/run/secrets:db-password}` is the contents of that file.
#[derive(Debug, Default)]
pub struct DirectoryConfigProvider {
    allowed: AllowedPaths,
}

impl DirectoryConfigProvider {
    fn read(&self, path: &str, wanted: impl Fn(&str) -> bool) -> Result<ConfigData> {
        if path.is_empty() {
            return Ok(ConfigData::default());
        }
        let Some(dir) = self.allowed.check(path) else {
            return Ok(ConfigData::default());
        };
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            ConnectError::other(format!("Could not list directory {}: {e}", dir.display()))
        })?;
        let mut data = BTreeMap::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Regular files only, as Apache (Kubernetes secret volumes hold `..data` links to
            // directories beside the files).
            if !wanted(&name) || !entry.path().is_file() {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).map_err(|e| {
                ConnectError::other(format!(
                    "Could not read file {}: {e}",
                    entry.path().display()
                ))
            })?;
            data.insert(name, text);
        }
        Ok(ConfigData { data, ttl: None })
    }
}

impl ConfigProvider for DirectoryConfigProvider {
    fn configure(&mut self, params: &HashMap<String, String>) -> Result<()> {
        self.allowed = AllowedPaths::configure(params)?;
        Ok(())
    }

    fn get(&self, path: &str) -> Result<ConfigData> {
        self.read(path, |_| true)
    }

    fn get_keys(&self, path: &str, keys: &[String]) -> Result<ConfigData> {
        self.read(path, |name| keys.iter().any(|k| k == name))
    }
}

/// `org.apache.kafka.common.config.provider.EnvVarConfigProvider`: `${env:DB_PASSWORD}`.
#[derive(Debug, Default)]
pub struct EnvVarConfigProvider {
    allowlist: Option<regex::Regex>,
}

impl ConfigProvider for EnvVarConfigProvider {
    fn configure(&mut self, params: &HashMap<String, String>) -> Result<()> {
        if let Some(pattern) = params.get("allowlist.pattern") {
            // Java's `String.matches`: the whole name must match.
            let re = regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
                ConnectError::other(format!("Invalid allowlist.pattern {pattern}: {e}"))
            })?;
            self.allowlist = Some(re);
        }
        Ok(())
    }

    fn get(&self, path: &str) -> Result<ConfigData> {
        if !path.is_empty() {
            tracing::error!(
                "Path is not supported for EnvVarConfigProvider, invalid value '{path}'"
            );
            return Ok(ConfigData::default());
        }
        let data = std::env::vars()
            .filter(|(k, _)| self.allowlist.as_ref().is_none_or(|re| re.is_match(k)))
            .collect();
        Ok(ConfigData { data, ttl: None })
    }
}

connect_api::config_provider!(
    FileConfigProvider,
    class = "org.apache.kafka.common.config.provider.FileConfigProvider"
);
connect_api::config_provider!(
    DirectoryConfigProvider,
    class = "org.apache.kafka.common.config.provider.DirectoryConfigProvider"
);
connect_api::config_provider!(
    EnvVarConfigProvider,
    class = "org.apache.kafka.common.config.provider.EnvVarConfigProvider"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn files_and_directories_are_read_only_under_the_allowed_paths() {
        let dir = tempfile::tempdir().unwrap();
        let allowed = dir.path().join("allowed");
        std::fs::create_dir(&allowed).unwrap();
        std::fs::write(allowed.join("db.properties"), "user=app\npassword=s3cret\n").unwrap();
        std::fs::write(allowed.join("token"), "t0ken").unwrap();
        std::fs::write(dir.path().join("outside.properties"), "password=no\n").unwrap();

        let mut file = FileConfigProvider::default();
        file.configure(&params(&[("allowed.paths", allowed.to_str().unwrap())]))
            .unwrap();
        let path = allowed.join("db.properties");
        let got = file
            .get_keys(path.to_str().unwrap(), &["password".to_owned()])
            .unwrap();
        assert_eq!(got.data["password"], "s3cret");
        assert_eq!(got.data.len(), 1);
        let sneaky = format!("{}/../outside.properties", allowed.display());
        assert!(file.get(&sneaky).unwrap().data.is_empty());

        let mut directory = DirectoryConfigProvider::default();
        directory.configure(&HashMap::new()).unwrap();
        let got = directory
            .get_keys(allowed.to_str().unwrap(), &["token".to_owned()])
            .unwrap();
        assert_eq!(got.data["token"], "t0ken");

        let mut bad = FileConfigProvider::default();
        assert!(bad
            .configure(&params(&[("allowed.paths", "relative/dir")]))
            .is_err());
    }

    #[test]
    fn environment_variables_are_offered_only_where_the_allowlist_matches() {
        let mut env = EnvVarConfigProvider::default();
        env.configure(&params(&[("allowlist.pattern", "PA.*")]))
            .unwrap();
        let got = env.get("").unwrap();
        assert!(got.data.contains_key("PATH"));
        assert!(got.data.keys().all(|k| k.starts_with("PA")));
        assert!(env.get("/some/path").unwrap().data.is_empty());
    }
}
