//! `razor`: run a Razor node or the demo.
#![forbid(unsafe_code)]

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use razor_core::channel::{
    DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_CHANNELS, DEFAULT_MAX_HANDSHAKES,
};
use razor_core::runtime::Runtime;
use razor_core::services::portal::DEFAULT_OUTLET_ADDRESS;
use razor_node::transport::ListenerLimits;
use razor_node::transport::admission;
use razor_node::{TokioRuntime, init_logging, run_local};
use tracing::error;

/// Razor: end-to-end encrypted, mutually authenticated channels over any route.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a node with its identity, secure channel listeners (at `secure` with Ockam's
    /// suite, at `secure-noise` with Noise_XX_25519_ChaChaPoly_SHA256), the echo service (at
    /// `echo`) and the relay service (at `forwarding_service`); runs until Ctrl-C.
    Node(NodeArgs),
    /// Two nodes on the in-memory transport: a message over a 3-hop route and its echo back
    /// by the return route, printing each hop.
    Demo,
    /// Open one secure channel, send one message to a service behind it, print the reply and
    /// the peer's verified identifier, close. Exits non-zero (printing the error code) on any
    /// failure.
    SecureChannel(SecureChannelArgs),
    /// Listen on a local TCP port and carry each connection through a secure channel to a TCP
    /// portal outlet (Ockam's protocol; a Razor node's `--outlet` or an Ockam outlet); runs
    /// until Ctrl-C.
    Inlet(InletArgs),
    /// Relays on a relay service (a Razor edge or node, an Ockam node).
    #[command(subcommand)]
    Relay(RelayCommand),
    /// Create, show, rotate and export an identity kept in a state directory.
    #[command(subcommand)]
    Identity(commands::identity::IdentityCommand),
    /// Issue credentials, as the authority whose identity is in a state directory.
    #[command(subcommand)]
    Credential(commands::credential::CredentialCommand),
}

#[derive(clap::Args)]
struct SecureChannelArgs {
    /// Route to the listener, e.g. `ws#127.0.0.1:4000 => secure`, or through a relay:
    /// `ws#127.0.0.1:8787 => forward_to_bob => secure`.
    #[arg(long)]
    to: String,
    /// Whom to accept as the peer: `everyone` or an identifier (`I` + 64 hex digits).
    #[arg(long)]
    trust: String,
    /// The service on the peer's node to send to.
    #[arg(long, default_value = "echo")]
    service: String,
    /// The message (UTF-8).
    #[arg(long, default_value = "hello")]
    message: String,
    /// Cipher suite: `ockam-aes-gcm` (default) or `noise-chachapoly`.
    #[arg(long, default_value = "ockam-aes-gcm")]
    suite: String,
    /// How long to wait for the channel and for the reply, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
    /// Send the message as an Ockam `String` (a BARE string) and read the reply as one: what
    /// Ockam workers such as an echoer of `String` expect.
    #[arg(long)]
    ockam_string: bool,
    /// Open the channel as the identity in this state directory (default: a new one).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Present this credential (hex, from `razor credential issue` or an Ockam authority) in
    /// the handshake; repeat for more.
    #[arg(long, value_name = "HEX")]
    credential: Vec<String>,
}

#[derive(clap::Args)]
struct InletArgs {
    /// The local TCP address to listen on, e.g. `127.0.0.1:8080` (port 0: any free port).
    #[arg(long, value_name = "HOST:PORT")]
    from: String,
    /// Route to the outlet node's secure channel listener, e.g. `tcp#10.0.0.5:4000 => secure`.
    #[arg(long)]
    to: String,
    /// The outlet's address on that node.
    #[arg(long, default_value = DEFAULT_OUTLET_ADDRESS)]
    outlet: String,
    /// Whom to accept as the outlet node: `everyone` or an identifier (`I` + 64 hex digits).
    #[arg(long)]
    trust: String,
    /// Cipher suite: `ockam-aes-gcm` (default) or `noise-chachapoly`.
    #[arg(long, default_value = "ockam-aes-gcm")]
    suite: String,
    /// How long to wait for the channel, and for the outlet to answer each connection (ms).
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
    /// Open the channel as the identity in this state directory (default: a new one).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Present this credential (hex) in the handshake; repeat for more.
    #[arg(long, value_name = "HEX")]
    credential: Vec<String>,
}

#[derive(Subcommand)]
enum RelayCommand {
    /// Run a node (its secure channel listeners, echo, and an outlet if asked) that keeps a
    /// relay registered at a relay service, so that peers reach it through the relay; prints
    /// `relay: <alias>` each time it registers. What `razor node --relay` does, without
    /// listeners of its own; runs until Ctrl-C.
    Create(RelayCreateArgs),
}

#[derive(clap::Args)]
struct RelayCreateArgs {
    /// The relay service: `ws://host:port[/name]` (a Razor edge or node) or `tcp://host:port`
    /// (an Ockam node's `forwarding_service`, a Razor node's TCP listener).
    #[arg(long, value_name = "URL")]
    at: String,
    /// Who may open secure channels to this node through the relay: `everyone` or an identifier.
    #[arg(long)]
    trust: String,
    /// The relay name to ask for (default: a random one).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Register through a secure channel to the service's node, accepting it as this identifier
    /// (or `everyone`); a Razor edge grants chosen names only so.
    #[arg(long, value_name = "ID")]
    relay_trust: Option<String>,
    /// Directory that keeps the node's identity across restarts.
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Also run a TCP portal outlet to this address (reached through the relay).
    #[arg(long, value_name = "HOST:PORT")]
    outlet: Option<String>,
}

impl From<RelayCreateArgs> for NodeArgs {
    fn from(args: RelayCreateArgs) -> Self {
        NodeArgs {
            name: "razor-relayed".into(),
            trust: args.trust,
            state_dir: args.state_dir,
            ws: Vec::new(),
            wt: Vec::new(),
            tcp: Vec::new(),
            relay: Some(args.at),
            relay_name: args.name,
            relay_trust: args.relay_trust,
            outlet: args.outlet,
            outlet_address: DEFAULT_OUTLET_ADDRESS.into(),
            authority: Vec::new(),
            policy: None,
            metrics: None,
            limits: LimitArgs::default(),
        }
    }
}

#[derive(clap::Args)]
struct NodeArgs {
    /// Name of the node, shown in logs.
    #[arg(long, default_value = "razor")]
    name: String,
    /// Who may open secure channels to this node: `everyone`, or one identifier
    /// (`I` + 64 hex digits). There is no default: accepting everyone must be explicit.
    #[arg(long)]
    trust: String,
    /// Directory that keeps the node's identity and keys across restarts (created if missing;
    /// keys are written with mode 0600). Without it the identity is new on every start.
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Listen for WebSocket connections on this address (e.g. 127.0.0.1:4000).
    #[arg(long, value_name = "ADDR")]
    ws: Vec<String>,
    /// Listen for WebTransport sessions on this UDP address (e.g. 127.0.0.1:4433). Prints the
    /// self-signed certificate's SHA-256, which browsers pin with `serverCertificateHashes`.
    #[arg(long, value_name = "ADDR")]
    wt: Vec<String>,
    /// Listen for TCP connections (Ockam's framing) on this address (e.g. 127.0.0.1:5000).
    #[arg(long, value_name = "ADDR")]
    tcp: Vec<String>,
    /// Keep a relay registered on the relay service at this `ws://` URL (a Razor edge, another
    /// node) or `tcp://host:port` (an Ockam node's `forwarding_service`, a node's TCP listener), so that peers reach this node's listeners through it; registers again after the
    /// connection drops. Prints `relay: <alias>` each time.
    #[arg(long, value_name = "URL")]
    relay: Option<String>,
    /// The relay name to ask for (default: a random one). A Razor edge grants chosen names
    /// only through a secure channel (see --relay-trust), at `ws://<edge>/<name>`.
    #[arg(long, value_name = "NAME", requires = "relay")]
    relay_name: Option<String>,
    /// Register through a secure channel to the relay service's node, accepting it as this
    /// identifier (or `everyone`); needed for a chosen name on a Razor edge.
    #[arg(long, value_name = "ID", requires = "relay")]
    relay_trust: Option<String>,
    /// Verify peers' credentials issued by this authority (its change history in hex); their
    /// attributes become visible to `--policy`. Repeat for more authorities.
    #[arg(long, value_name = "HISTORY")]
    authority: Vec<String>,
    /// Run a TCP portal outlet (Ockam's protocol) to this address, e.g. `127.0.0.1:8080`: each
    /// portal connection that arrives through a secure channel is carried to a new TCP
    /// connection there. Ockam inlets and `razor inlet` reach it at `--outlet-address`.
    #[arg(long, value_name = "HOST:PORT")]
    outlet: Option<String>,
    /// The outlet's worker address.
    #[arg(long, default_value = DEFAULT_OUTLET_ADDRESS, requires = "outlet")]
    outlet_address: String,
    /// Admit to the secure channel listeners only peers that satisfy this ABAC policy too,
    /// e.g. `(= subject.role "member")` (attributes from credentials of an `--authority`).
    #[arg(long, value_name = "EXPR")]
    policy: Option<String>,
    /// Serve the node's counters (connections refused, handshakes in progress and expired,
    /// malformed frames, memory) at `http://ADDR/metrics`, in Prometheus' text format.
    #[arg(long, value_name = "ADDR")]
    metrics: Option<String>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Caps on what peers can make a node hold (docs/SECURITY.md, "Limits").
#[derive(clap::Args)]
struct LimitArgs {
    /// Connections open at once to this node's listeners, all together.
    #[arg(long, value_name = "N", default_value_t = admission::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Connections open at once from one source IP address.
    #[arg(long, value_name = "N", default_value_t = admission::DEFAULT_MAX_CONNECTIONS_PER_SOURCE)]
    max_connections_per_source: usize,
    /// Frames a connection may send a second (burst as many); beyond it, its frames are
    /// read no faster. Default: no rate cap.
    #[arg(long, value_name = "N")]
    max_messages_per_second: Option<u32>,
    /// Handshakes each secure channel listener has in progress at once; first messages
    /// beyond it are dropped.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_HANDSHAKES)]
    max_handshakes: usize,
    /// Channels each secure channel listener holds at once, established or not; first
    /// messages beyond it are dropped until one closes.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CHANNELS)]
    max_channels: usize,
    /// How long a handshake may take, in milliseconds; a half-open one is torn down then.
    #[arg(long, value_name = "MS", default_value_t = DEFAULT_HANDSHAKE_TIMEOUT.as_millis() as u64)]
    handshake_timeout_ms: u64,
}

impl Default for LimitArgs {
    /// The flags' defaults (for `relay create`, which has no listeners of its own).
    fn default() -> Self {
        let limits = ListenerLimits::default();
        Self {
            max_connections: limits.max_connections,
            max_connections_per_source: limits.max_connections_per_source,
            max_messages_per_second: limits.max_messages_per_second,
            max_handshakes: DEFAULT_MAX_HANDSHAKES,
            max_channels: DEFAULT_MAX_CHANNELS,
            handshake_timeout_ms: DEFAULT_HANDSHAKE_TIMEOUT.as_millis() as u64,
        }
    }
}

impl LimitArgs {
    fn listener_limits(&self) -> ListenerLimits {
        ListenerLimits {
            max_connections: self.max_connections,
            max_connections_per_source: self.max_connections_per_source,
            max_messages_per_second: self.max_messages_per_second,
        }
    }
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let outcome = run_local(async move {
        match cli.command {
            Command::Node(args) => commands::node::run(args).await,
            Command::Relay(RelayCommand::Create(args)) => commands::node::run(args.into()).await,
            Command::Demo => razor_node::demo::run_demo().await.map(|_| ()),
            Command::SecureChannel(args) => commands::channel::run_secure_channel(args).await,
            Command::Inlet(args) => commands::channel::run_inlet(args).await,
            Command::Identity(command) => {
                commands::identity::run(command, TokioRuntime.unix_time()).await
            }
            Command::Credential(command) => {
                commands::credential::run(command, TokioRuntime.unix_time()).await
            }
        }
    });
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            error!(code = error.code(), "{error}");
            println!("error: {} {error}", error.code());
            ExitCode::FAILURE
        }
        Err(error) => {
            error!("could not start the runtime: {error}");
            ExitCode::FAILURE
        }
    }
}
