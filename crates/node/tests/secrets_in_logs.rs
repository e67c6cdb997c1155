//! Secret key material never reaches the logs: a `razor node` and a `razor secure-channel`
//! client, both with on-disk state and `RUST_LOG=trace` (everything the debug build can log),
//! open a channel and exchange a message; neither log holds any of their vaults' secrets, in
//! hex (either case) or base64.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn razor() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_razor"));
    command.env("RUST_LOG", "trace");
    command
}

/// The secrets of the vault under `dir` (`<kind> <hex>` lines): the identity's key, and the
/// secure channel key where the command keeps it.
fn secrets(dir: &Path) -> Vec<String> {
    let keys = std::fs::read_to_string(dir.join("vault.keys")).expect("the node saved its keys");
    let secrets: Vec<String> = keys
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .map(str::to_owned)
        .collect();
    assert!(
        !secrets.is_empty(),
        "at least the identity's signing key: {keys}"
    );
    secrets
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| n << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn assert_absent(log: &str, secret_hex: &str, whose: &str) {
    let bytes = razor_core::codec::hex::decode(secret_hex).unwrap();
    // Any 16 consecutive bytes of the secret, in each form, would be a leak.
    for forms in [
        secret_hex.to_lowercase(),
        secret_hex.to_uppercase(),
        base64(&bytes).trim_end_matches('=').to_owned(),
    ] {
        let probe = &forms[..forms.len().min(24)];
        assert!(
            !log.contains(probe),
            "{whose}'s secret ({probe}…) is in a log"
        );
    }
    // And the Debug form of the raw bytes, as `[12, 34, …]`.
    let debug = format!("{:?}", &bytes[..8]);
    assert!(
        !log.contains(debug.trim_end_matches(']')),
        "{whose}'s secret bytes are in a log"
    );
}

#[test]
fn trace_logs_of_a_node_and_a_client_hold_no_secret() {
    let dir = std::env::temp_dir().join(format!("razor-secrets-{}", std::process::id()));
    let (server_state, client_state) = (dir.join("server"), dir.join("client"));
    let _ = std::fs::remove_dir_all(&dir);
    let server_log = dir.join("server.log");
    std::fs::create_dir_all(&dir).unwrap();
    let mut server = razor()
        .args([
            "node",
            "--trust",
            "everyone",
            "--tcp",
            "127.0.0.1:0",
            "--state-dir",
        ])
        .arg(&server_state)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&server_log).unwrap())
        .spawn()
        .unwrap();
    // The listener's address, from stdout.
    let mut stdout = std::io::BufReader::new(server.stdout.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(20);
    let address = loop {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        if let Some(address) = line.trim().strip_prefix("tcp: ") {
            break address.to_owned();
        }
        assert!(
            Instant::now() < deadline && !line.is_empty(),
            "no listener printed"
        );
    };
    let created = razor()
        .args(["identity", "create", "--state-dir"])
        .arg(&client_state)
        .output()
        .unwrap();
    assert!(created.status.success());
    let client = razor()
        .args([
            "secure-channel",
            "--trust",
            "everyone",
            "--message",
            "secret-free",
        ])
        .args(["--to", &format!("{address} => secure"), "--state-dir"])
        .arg(&client_state)
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let client_out = String::from_utf8_lossy(&client.stdout);
    assert!(client.status.success(), "{client_out}");
    assert!(client_out.contains("reply: secret-free"), "{client_out}");
    let client_log = String::from_utf8_lossy(&client.stderr).into_owned()
        + &String::from_utf8_lossy(&created.stderr)
        + &String::from_utf8_lossy(&created.stdout);
    let server_log = std::fs::read_to_string(&server_log).unwrap();
    assert!(
        server_log.contains("TRACE") && client_log.contains("TRACE"),
        "both logged at trace level"
    );
    for (whose, state) in [("server", &server_state), ("client", &client_state)] {
        let secrets = secrets(state);
        eprintln!(
            "{whose}: {} secrets checked against {} + {} bytes of trace logs",
            secrets.len(),
            server_log.len(),
            client_log.len()
        );
        for secret in secrets {
            for log in [&server_log, &client_log] {
                assert_absent(log, &secret, whose);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
