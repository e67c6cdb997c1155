//! On-disk state of a native node: its software vault's keys and its identity, so that a node
//! keeps its identifier across restarts.
//!
//! `<dir>/vault.keys` (mode 0600): one line per key, `<kind> <secret hex>`, kinds as in
//! [`SoftwareVault::export_secrets`]. `<dir>/identity`: the change history in hex, then the
//! vault handle of the current key.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::rc::Rc;

use razor_core::codec::hex;
use razor_core::identity::Identity;
use razor_core::identity::model::ChangeHistory;
use razor_core::vault::{KeyId, SigningKeyKind, SoftwareVault, Vault};
use razor_core::{Error, Result};
use zeroize::Zeroizing;

fn io(error: std::io::Error) -> Error {
    Error::InvalidArgument(format!("node state: {error}"))
}

fn unhex(text: &str) -> Result<Vec<u8>> {
    hex::decode(text).map_err(|_| Error::InvalidArgument("node state: bad hex".into()))
}

fn write_private(path: &Path, contents: &str) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    file.write_all(contents.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}

/// Saves every key of `vault` and `identity` under `dir`.
pub fn save(dir: &Path, vault: &SoftwareVault, identity: &Identity) -> Result<()> {
    fs::create_dir_all(dir).map_err(io)?;
    let keys: Zeroizing<String> = Zeroizing::new(
        vault
            .export_secrets()
            .iter()
            .map(|(kind, secret)| format!("{kind} {}\n", hex::encode(secret.as_slice())))
            .collect(),
    );
    write_private(&dir.join("vault.keys"), &keys)?;
    let record = format!(
        "{}\n{}\n",
        hex::encode(&identity.change_history().encode()),
        identity.key()
    );
    write_private(&dir.join("identity"), &record)
}

/// The identity stored under `dir`, or a new one (saved there) if there is none yet. Returns
/// the vault holding its keys.
pub async fn load_or_create(dir: &Path, now: u64) -> Result<(Rc<SoftwareVault>, Identity)> {
    let vault = Rc::new(SoftwareVault::new());
    let shared: Rc<dyn Vault> = vault.clone();
    if !exists(dir) {
        let identity = Identity::create(shared, SigningKeyKind::Ed25519, now).await?;
        save(dir, &vault, &identity)?;
        return Ok((vault, identity));
    }
    load(dir).await
}

/// Whether `dir` holds an identity.
pub fn exists(dir: &Path) -> bool {
    dir.join("identity").exists()
}

/// The identity stored under `dir` and the vault holding its keys; an error if there is none.
pub async fn load(dir: &Path) -> Result<(Rc<SoftwareVault>, Identity)> {
    let vault = Rc::new(SoftwareVault::new());
    let shared: Rc<dyn Vault> = vault.clone();
    let identity_path = dir.join("identity");
    if !identity_path.exists() {
        return Err(Error::InvalidArgument(format!(
            "no identity in {} (create one with `razor identity create`)",
            dir.display()
        )));
    }
    let keys = Zeroizing::new(fs::read_to_string(dir.join("vault.keys")).map_err(io)?);
    let mut secrets = Vec::new();
    for line in keys.lines().filter(|l| !l.trim().is_empty()) {
        let (kind, secret) = line
            .split_once(' ')
            .ok_or_else(|| Error::InvalidArgument("node state: bad key line".into()))?;
        let kind: u8 = kind
            .parse()
            .map_err(|_| Error::InvalidArgument("node state: bad key kind".into()))?;
        let secret = Zeroizing::new(unhex(secret.trim())?);
        let secret: [u8; 32] = secret
            .as_slice()
            .try_into()
            .map_err(|_| Error::InvalidArgument("node state: bad key length".into()))?;
        secrets.push((kind, Zeroizing::new(secret)));
    }
    vault.import_secrets(&secrets)?;
    let record = fs::read_to_string(&identity_path).map_err(io)?;
    let mut lines = record.lines();
    let history = unhex(lines.next().unwrap_or_default().trim())?;
    let key = KeyId::new(lines.next().unwrap_or_default().trim());
    let history = ChangeHistory::decode(&history).map_err(Error::from)?;
    let identity = Identity::import(shared, history, key).await?;
    Ok((vault, identity))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_survives_a_restart() {
        let dir = std::env::temp_dir().join(format!("razor-state-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let first = crate::run_local(load_or_create(&dir, 1_000))
            .unwrap()
            .unwrap()
            .1
            .identifier();
        let second = crate::run_local(load_or_create(&dir, 2_000))
            .unwrap()
            .unwrap()
            .1
            .identifier();
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.join("vault.keys"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "keys are private to the owner");
        }
        fs::write(dir.join("identity"), "zz\n").unwrap();
        assert!(
            crate::run_local(load_or_create(&dir, 3_000))
                .unwrap()
                .is_err()
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
