//! `razor identity create|show|rotate|export`: an identity kept in a state directory.

use std::path::PathBuf;

use razor_core::codec::hex;
use razor_core::identity::Protection;
use razor_core::vault::SigningKeyKind;
use razor_core::{Error, Result};
use razor_node::state;

/// What to do with the identity.
#[derive(clap::Subcommand)]
pub(crate) enum IdentityCommand {
    /// Create an identity (Ed25519) in a state directory and print its identifier. Fails if
    /// the directory already holds one.
    Create(StateDir),
    /// Print the identifier; with `--full`, the change history in hex (what verifiers,
    /// authorities and Ockam's `identity import` take).
    Show {
        #[command(flatten)]
        state: StateDir,
        /// Print the whole change history (hex) instead of the identifier.
        #[arg(long)]
        full: bool,
    },
    /// Rotate to a new key (the identifier stays; the change history grows by one change,
    /// signed by the old key and the new one). Prints the new change history.
    Rotate(StateDir),
    /// Print the identity and its current key sealed with a passphrase (base64), in the format
    /// `importIdentity` reads in JavaScript (e.g. a Worker's secret).
    Export {
        #[command(flatten)]
        state: StateDir,
        /// Name of the environment variable holding the passphrase (kept out of the shell
        /// history and the process list).
        #[arg(long, value_name = "VAR")]
        passphrase_env: String,
    },
}

/// Where an identity lives.
#[derive(clap::Args)]
pub(crate) struct StateDir {
    /// Directory holding the identity and its keys (as `razor node --state-dir`).
    #[arg(long)]
    pub(crate) state_dir: PathBuf,
}

/// Runs `command`, printing its result.
pub(crate) async fn run(command: IdentityCommand, now: u64) -> Result<()> {
    match command {
        IdentityCommand::Create(StateDir { state_dir }) => {
            if state::exists(&state_dir) {
                return Err(Error::InvalidArgument(format!(
                    "{} already holds an identity",
                    state_dir.display()
                )));
            }
            let (_, identity) = state::load_or_create(&state_dir, now).await?;
            println!("{}", identity.identifier());
        }
        IdentityCommand::Show { state, full } => {
            let (_, identity) = state::load(&state.state_dir).await?;
            match full {
                true => println!("{}", hex::encode(&identity.change_history().encode())),
                false => println!("{}", identity.identifier()),
            }
        }
        IdentityCommand::Rotate(StateDir { state_dir }) => {
            let (vault, identity) = state::load(&state_dir).await?;
            identity.rotate(SigningKeyKind::Ed25519, now).await?;
            state::save(&state_dir, &vault, &identity)?;
            println!("{}", hex::encode(&identity.change_history().encode()));
        }
        IdentityCommand::Export {
            state,
            passphrase_env,
        } => {
            let passphrase =
                zeroize::Zeroizing::new(std::env::var(&passphrase_env).map_err(|_| {
                    Error::InvalidArgument(format!(
                        "the environment variable {passphrase_env} is not set"
                    ))
                })?);
            let (_, identity) = state::load(&state.state_dir).await?;
            let sealed = identity
                .export(Protection::Passphrase(passphrase.as_str()))
                .await?;
            println!("{}", base64(&sealed));
        }
    }
    Ok(())
}

/// Standard base64 with padding (what `atob` and `Buffer.from(_, "base64")` read).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foo"), "Zm9v");
        assert_eq!(super::base64(&[0xfb, 0xff]), "+/8=");
    }
}
