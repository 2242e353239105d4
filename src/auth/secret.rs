//! The JWT signing secret: from `KAIZEN_JWT_SECRET`, or generated once and kept beside the
//! SQLite file (mode 0600) so tokens survive restarts.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::config::{ConfigError, MIN_JWT_SECRET_LEN, Settings, secret_path_for};
use crate::db::DatabaseTarget;

pub fn resolve(settings: &Settings) -> Result<Vec<u8>, ConfigError> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.as_bytes().to_vec());
    }
    match settings.database_target()? {
        DatabaseTarget::Postgres { .. } => Err(ConfigError(
            "KAIZEN_JWT_SECRET must be set (at least 32 bytes) when running on PostgreSQL, \
             so every instance signs with the same key"
                .into(),
        )),
        DatabaseTarget::Sqlite { path } => load_or_create(&secret_path_for(&path)),
    }
}

fn load_or_create(path: &Path) -> Result<Vec<u8>, ConfigError> {
    match fs::read_to_string(path) {
        Ok(content) => {
            let secret = content.trim().as_bytes().to_vec();
            if secret.len() < MIN_JWT_SECRET_LEN {
                return Err(ConfigError(format!(
                    "the secret in {} is shorter than {MIN_JWT_SECRET_LEN} bytes",
                    path.display()
                )));
            }
            Ok(secret)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 48];
            getrandom::fill(&mut bytes).map_err(|e| ConfigError(format!("no randomness: {e}")))?;
            let secret = URL_SAFE_NO_PAD.encode(bytes);
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| ConfigError(format!("cannot create {}: {e}", path.display())))?;
            file.write_all(secret.as_bytes())
                .map_err(|e| ConfigError(format!("cannot write {}: {e}", path.display())))?;
            tracing::warn!(
                path = %path.display(),
                "KAIZEN_JWT_SECRET is not set; generated a signing secret and stored it beside the database"
            );
            Ok(secret.into_bytes())
        }
        Err(e) => Err(ConfigError(format!("cannot read {}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn generated_secret_is_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db.jwt-secret");
        let first = load_or_create(&path).unwrap();
        let second = load_or_create(&path).unwrap();
        assert_eq!(first, second);
        assert!(first.len() >= 32);
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
