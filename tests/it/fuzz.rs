//! Bounded, seeded fuzzing on stable Rust (issue: reliability): over 10,000 mutations each of the
//! bingen decoder (every fixture, decoded as every root), the filter language, the window parser
//! and the objstore YAML. No input may panic or hang; errors must be non-empty. The generator is
//! seeded, so a failure reproduces, and a crashing input is kept as a regression case by
//! printing it in the assertion message. Runs in a few seconds (release build).

use costscope::bingen::{self, RootKind};
use costscope::config::StoreConfig;
use costscope::query::{DataKind, parse_filter, parse_window};

use crate::support::common;
use crate::support::rng::Rng;

/// One random edit of `v`: overwrite, bit flip, insert, delete a run, duplicate a run, truncate.
fn mutate<T: Clone>(rng: &mut Rng, v: &mut Vec<T>, pick: &mut dyn FnMut(&mut Rng) -> T) {
    if v.is_empty() {
        v.push(pick(rng));
        return;
    }
    let i = rng.below(v.len());
    match rng.next() % 6 {
        0 => v[i] = pick(rng),
        1 => v.insert(i, pick(rng)),
        2 => {
            let n = 1 + rng.below(8).min(v.len() - i - 1);
            v.drain(i..i + n.min(v.len() - i));
        }
        3 => {
            let n = 1 + rng.below(16).min(v.len() - i - 1);
            let run: Vec<T> = v[i..i + n].to_vec();
            v.splice(i..i, run);
        }
        4 => v.truncate(i),
        _ => {
            let j = rng.below(v.len());
            v.swap(i, j);
        }
    }
}

#[test]
fn decoder_survives_10000_mutations_of_every_root() {
    let mut rng = Rng(0xB16E_4D3C_0DEC);
    let files = common::codec_fixture_files();
    let per_file = 10_000 / files.len() + 1;
    let mut cases = 0;
    for (_, rel, path) in &files {
        let bytes = std::fs::read(path).unwrap();
        let own = common::root_kind_of(rel);
        for n in 0..per_file {
            let mut m = bytes.clone();
            for _ in 0..1 + rng.below(4) {
                mutate(&mut rng, &mut m, &mut |r| match r.next() % 4 {
                    0 => 0xff,
                    1 => 0x00,
                    _ => r.next() as u8,
                });
            }
            // Its own root mostly, every other root now and then.
            let kind = if n % 8 == 0 {
                RootKind::ALL[rng.below(RootKind::ALL.len())]
            } else {
                own
            };
            let r = std::panic::catch_unwind(|| bingen::decode(&m, kind).map(|_| ()));
            match r {
                Ok(Ok(())) => {}
                Ok(Err(e)) => assert!(!e.message.is_empty(), "{rel}: empty error"),
                Err(_) => panic!("{rel} as {kind:?} panicked on {} bytes: {:02x?}", m.len(), &m[..m.len().min(64)]),
            }
            cases += 1;
        }
    }
    assert!(cases >= 10_000, "{cases}");
}

const FILTER_SEEDS: &[&str] = &[
    r#"namespace:"kubecost"+container:"cost-model""#,
    r#"cluster!:"cluster-one""#,
    r#"label[app]:"cost-analyzer" | label[team]<~:"ops""#,
    r#"(namespace:"a"|namespace:"b")+cluster:"c""#,
    r#"services~:"dns" + controllerKind!:"job""#,
    r#"annotation[x]~>:"-prod",namespaceLabel[env]:"""#,
];
const FILTER_ALPHABET: &[u8] = br#"abcnsl:~!<>+|()"[]\, _-.0$?'"#;

#[test]
fn filter_language_survives_10000_mutations() {
    let mut rng = Rng(0x00F1_17E4);
    for i in 0..10_000 {
        let seed = FILTER_SEEDS[i % FILTER_SEEDS.len()];
        let mut chars: Vec<u8> = seed.as_bytes().to_vec();
        for _ in 0..1 + rng.below(5) {
            mutate(&mut rng, &mut chars, &mut |r| FILTER_ALPHABET[r.below(FILTER_ALPHABET.len())]);
        }
        let text = String::from_utf8_lossy(&chars).into_owned();
        for kind in [DataKind::Allocation, DataKind::Asset, DataKind::CloudCost] {
            let r = std::panic::catch_unwind(|| match parse_filter(&text, kind) {
                // What parses prints as a filter that parses again.
                Ok(f) => parse_filter(&f.to_string(), kind)
                    .map(|_| ())
                    .map_err(|e| format!("reprint {f}: {e}")),
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    Ok(())
                }
            });
            match r {
                Ok(Ok(())) => {}
                Ok(Err(e)) => panic!("{kind:?} {text:?}: {e}"),
                Err(_) => panic!("{kind:?} filter {text:?} panicked"),
            }
        }
    }
}

const WINDOW_SEEDS: &[&str] = &[
    "7d",
    "today",
    "lastweek",
    "2026-11-01T00:00:00Z,2026-11-08T00:00:00Z",
    "1794614400,1795219200",
    "3d offset 2d",
    "2026-11-01,2026-11-08",
    "48h",
];

#[test]
fn window_parser_survives_10000_mutations() {
    let mut rng = Rng(0x3D0F_F5E7);
    let now = chrono::Utc::now();
    let alphabet = b"0123456789dhwmTZ:-,| offsetlastweekmonth+.";
    for i in 0..10_000 {
        let mut chars: Vec<u8> = WINDOW_SEEDS[i % WINDOW_SEEDS.len()].as_bytes().to_vec();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut chars, &mut |r| alphabet[r.below(alphabet.len())]);
        }
        let text = String::from_utf8_lossy(&chars).into_owned();
        let r = std::panic::catch_unwind(|| match parse_window(&text, now) {
            Ok(w) => assert!(w.start < w.end, "{text:?} gave an empty window"),
            Err(e) => assert!(!e.to_string().is_empty()),
        });
        assert!(r.is_ok(), "window {text:?} panicked");
    }
}

const YAML_SEEDS: &[&str] = &[
    "type: S3\nconfig:\n  bucket: b\n  endpoint: s3.amazonaws.com\n  access_key: AKIA1234\n  secret_key: s3cr3t\n  http_config:\n    response_header_timeout: 1m\nprefix: kc\n",
    "type: GCS\nconfig:\n  bucket: b\n  service_account: '{\"type\":\"service_account\"}'\n",
    "type: AZURE\nconfig:\n  storage_account: acct\n  storage_account_key: a2V5\n  container: c\n  max_retries: 3\n",
    "type: FILESYSTEM\nconfig:\n  directory: /tmp\n",
];

#[test]
fn objstore_yaml_survives_10000_mutations() {
    let mut rng = Rng(0x007A_3100);
    let path = std::path::Path::new("/tmp/fuzz-store.yaml");
    let alphabet = b"abc: \n-{}[]'\"#&*!|>%@`\t0123456789";
    for i in 0..10_000 {
        let mut chars: Vec<u8> = YAML_SEEDS[i % YAML_SEEDS.len()].as_bytes().to_vec();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut chars, &mut |r| alphabet[r.below(alphabet.len())]);
        }
        let text = String::from_utf8_lossy(&chars).into_owned();
        let r = std::panic::catch_unwind(|| {
            if let Err(e) = StoreConfig::parse(&text, path) {
                let msg = e.to_string();
                assert!(!msg.is_empty());
                for secret in ["s3cr3t", "AKIA1234", "a2V5"] {
                    assert!(!msg.contains(secret), "{text:?}: error shows {secret}: {msg}");
                }
            }
        });
        assert!(r.is_ok(), "yaml {text:?} panicked");
    }
}

/// Found by `objstore_yaml_survives_10000_mutations`: a mis-indented block under a misspelt key
/// was echoed whole by serde_yaml's "invalid type: string" message, account key included.
#[test]
fn regression_a_scalar_config_block_is_not_echoed() {
    let text = "type: AZURE\nconfig:\n  storage_account:oacct\n  st rage_account_key:`a2V5\n  containeax_retr3\n";
    let e = StoreConfig::parse(text, std::path::Path::new("/tmp/s.yaml"))
        .unwrap_err()
        .to_string();
    assert!(!e.contains("a2V5") && e.contains(":3:3:"), "{e}");
}

/// Values at and past the limits of every integer type a flag can have, and floats that are not
/// numbers: each must give a result or a one-line error with exit 2, never a panic (issue 34.1).
const LIMIT_NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "255",
    "65536",
    "2147483647",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "1e309",
    "NaN",
    "inf",
    "-0",
    "",
];

/// Every numeric flag of the CLI, each with the arguments that make it run quickly (a query
/// without its own ingest, a one-pass command, a dry run).
const NUMERIC_FLAGS: &[(&[&str], &str)] = &[
    (&["allocation", "--no-ingest", "--format", "csv"], "--offset"),
    (&["allocation", "--no-ingest", "--format", "csv"], "--limit"),
    (&["allocation", "--no-ingest", "--format", "table", "--offset", "1"], "--limit"),
    (
        &[
            "allocation",
            "--no-ingest",
            "--accumulate",
            "false",
            "--step",
            "1d",
            "--offset",
            "1",
        ],
        "--limit",
    ),
    (&["assets", "--no-ingest", "--format", "json", "--limit", "1"], "--offset"),
    (&["allocation", "--no-ingest", "--aggregate", "namespace"], "--share-cost"),
    (&["ingest", "--once"], "--retention-days"),
    (&["ingest", "--once"], "--retention-hours"),
    (&["ingest", "--once"], "--max-object-size"),
    (&["ingest", "--once"], "--fetch-concurrency"),
    (&["migration", "--no-parity"], "--caught-up-after"),
    (&["migration", "--no-parity"], "--horizon-days"),
    (&["federate", "--once", "--dry-run"], "--interval"),
];

/// Count flags of commands that would run for long on any value they accept (a demo, a
/// benchmark, an export): checked by parsing the command line only. Values past each flag's
/// bound must be usage errors.
const COUNT_FLAGS: &[(&[&str], &str)] = &[
    (&["demo"], "--days"),
    (&["demo"], "--clusters"),
    (&["demo"], "--containers"),
    (&["bench", "decode"], "--allocations"),
    (&["bench", "decode"], "--runs"),
    (&["bench", "fleet"], "--clusters"),
    (&["bench", "fleet"], "--days"),
    (&["bench", "fleet"], "--containers"),
    (&["bench", "fleet"], "--hourly-hours"),
    (&["bench", "fleet"], "--latency-ms"),
    (&["bench", "fleet"], "--fresh-files"),
    (&["bench", "export"], "--concurrency"),
    (&["bench", "ingest"], "--containers"),
    (&["bench", "ingest"], "--runs"),
    (&["export", "--out", "x"], "--concurrency"),
    (&["allocation"], "--fetch-concurrency"),
];

#[test]
fn count_flags_are_bounded() {
    use clap::Parser;
    for (args, flag) in COUNT_FLAGS {
        for v in LIMIT_NUMBERS {
            let line = ["costscope"]
                .iter()
                .chain(args.iter())
                .map(|s| s.to_string())
                .chain([format!("{flag}={v}")]);
            let r = std::panic::catch_unwind(|| costscope::cli::Cli::try_parse_from(line));
            let Ok(r) = r else { panic!("{args:?} {flag}={v} panicked") };
            let huge = v.len() > 7 && !v.contains(['e', 'N', 'i']);
            if huge || v.starts_with('-') {
                let e = r.expect_err(&format!("{args:?} {flag}={v} is refused"));
                assert_eq!(e.exit_code(), 2, "{e}");
            }
        }
    }
}

/// Every numeric flag with every [`LIMIT_NUMBERS`] value, on a one-day bucket through the binary
/// as a user runs it: a result (exit 0 or 1 with a message) or a usage error (exit 2), never a
/// panic (exit 101) or an abort. Plus a seeded run of numbers built from digits at random lengths.
#[test]
fn numbers_at_type_limits_never_panic_the_cli() {
    use crate::support::cli::{costscope, tiny_ingested_bucket};
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tiny_ingested_bucket(tmp.path());
    let mut rng = Rng(0x00C1_1F22);
    let mut values: Vec<String> = LIMIT_NUMBERS.iter().map(|s| s.to_string()).collect();
    for _ in 0..4 {
        let digits: String = (0..1 + rng.below(24)).map(|_| char::from(b'0' + rng.below(10) as u8)).collect();
        values.push(if rng.below(2) == 0 { digits } else { format!("-{digits}") });
    }
    let mut runs = 0;
    for (args, flag) in NUMERIC_FLAGS {
        for v in &values {
            let out = costscope(tmp.path(), &yaml)
                .args(*args)
                .arg(format!("{flag}={v}"))
                .timeout(std::time::Duration::from_secs(120))
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            let code = out.status.code();
            assert!(
                matches!(code, Some(0..=2)) && !err.contains("panicked"),
                "costscope {} {flag}={v}: exit {code:?}\n{err}",
                args.join(" ")
            );
            if code == Some(2) {
                assert!(!err.trim().is_empty(), "{flag}={v}: a usage error says why");
            }
            runs += 1;
        }
    }
    assert!(runs >= NUMERIC_FLAGS.len() * LIMIT_NUMBERS.len());
}
