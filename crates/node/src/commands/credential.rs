//! `razor credential issue`: the identity in a state directory, as an authority, issues a
//! credential (Ockam's format) about a subject.

use std::path::PathBuf;

use razor_core::codec::hex;
use std::time::Duration;

use razor_core::Route;
use razor_core::identity::{Attributes, Identifier};
use razor_core::services::credential_retrieval::retrieve_credential;
use razor_core::{Error, Result};
use razor_node::state;

use super::verified_history;

/// What to do with credentials.
#[derive(clap::Subcommand)]
pub(crate) enum CredentialCommand {
    /// Issue a credential about a subject, signed by the identity in `--state-dir` (the
    /// authority); prints it in hex (a CredentialAndPurposeKey, as Ockam encodes it).
    Issue(IssueArgs),
    /// Get a credential for the identity in `--state-dir` from an Ockam authority's
    /// `credential_issuer` (as an enrolled Ockam project member does), verify it, and print it
    /// in hex (present it with `--credential`).
    Retrieve(RetrieveArgs),
}

/// `razor credential retrieve`.
#[derive(clap::Args)]
pub(crate) struct RetrieveArgs {
    /// The member's state directory.
    #[arg(long)]
    state_dir: PathBuf,
    /// Route to the authority node's secure channel listener, e.g. `tcp#10.0.0.2:4000 => secure`.
    #[arg(long)]
    from: String,
    /// The authority's identifier: the channel accepts only it, and the credential must be
    /// signed by it.
    #[arg(long, value_name = "ID")]
    issuer: String,
    /// How long to wait for the channel and the answer (ms).
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
}

/// `razor credential issue`.
#[derive(clap::Args)]
pub(crate) struct IssueArgs {
    /// The authority's state directory.
    #[arg(long)]
    state_dir: PathBuf,
    /// The subject's change history in hex (`razor identity show --full`, or Ockam's
    /// `identity show --full --encoding hex`).
    #[arg(long, value_name = "HISTORY")]
    subject: String,
    /// An attribute, `name=value`; repeat for more.
    #[arg(long = "attribute", value_name = "NAME=VALUE", required = true)]
    attributes: Vec<String>,
    /// How long the credential is valid, in seconds.
    #[arg(long, default_value_t = 3600)]
    ttl_secs: u64,
}

/// Runs `command`, printing its result.
pub(crate) async fn run(command: CredentialCommand, now: u64) -> Result<()> {
    match command {
        CredentialCommand::Issue(args) => issue(args, now).await,
        CredentialCommand::Retrieve(args) => retrieve(args).await,
    }
}

async fn issue(args: IssueArgs, now: u64) -> Result<()> {
    let subject = verified_history("--subject", &args.subject)?;
    let mut pairs = Vec::new();
    for attribute in &args.attributes {
        let (name, value) = attribute.split_once('=').ok_or_else(|| {
            Error::InvalidArgument(format!("--attribute {attribute:?} is not name=value"))
        })?;
        pairs.push((name, value));
    }
    let (_, authority) = state::load(&args.state_dir).await?;
    let credential = authority
        .issue_credential(&subject, Attributes::from_pairs(pairs), args.ttl_secs, now)
        .await?;
    println!("{}", hex::encode(&credential.encode()));
    Ok(())
}

async fn retrieve(args: RetrieveArgs) -> Result<()> {
    let (node, identity) = super::client_node(Some(&args.state_dir), &[]).await?;
    let issuer: Identifier = args.issuer.parse()?;
    let credential = retrieve_credential(
        &node,
        &identity,
        args.from.parse::<Route>()?,
        issuer,
        Duration::from_millis(args.timeout_ms),
    )
    .await;
    node.shutdown();
    println!("{}", hex::encode(&credential?.encode()));
    Ok(())
}
