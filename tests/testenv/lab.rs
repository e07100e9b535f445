//! A private network for the ECR tests: real ECR host names mapped to loopback addresses,
//! two `docker-registry` servers on port 80 with htpasswd logins, and moto, all inside one
//! network and mount namespace (`unshare --net --mount`, `lo` up, a bind-mounted
//! /etc/hosts). Commands enter it with `nsenter`. Nothing inside can reach outside.

use super::*;
use std::sync::atomic::{AtomicU16, Ordering};

pub const INSTALL: &str = "apt-get install docker-registry apache2-utils skopeo curl util-linux iproute2 (and the docker CLI)";

/// What moto's token carries for account 123456789012: `AWS:123456789012-auth-token`.
pub const PASSWORD: &str = "123456789012-auth-token";
/// The second registry's password, which no token carries.
pub const OTHER_PASSWORD: &str = "someone-elses-password";

pub const HOST_USE1: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
pub const HOST_EUW1: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
pub const HOST_USW2: &str = "123456789012.dkr.ecr.us-west-2.amazonaws.com";
pub const HOST_OTHER_ACCOUNT: &str = "210987654321.dkr.ecr.us-east-1.amazonaws.com";
pub const HOST_FIPS_USE1: &str = "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com";
pub const HOST_DUAL_STACK_USE1: &str = "123456789012.dkr-ecr.us-east-1.on.aws";
/// Served by the second registry, which rejects the token's password.
pub const HOST_REJECTING: &str = "999999999999.dkr.ecr.us-east-1.amazonaws.com";
/// ECR Public, served here by the first registry.
pub const HOST_PUBLIC: &str = "public.ecr.aws";

pub struct Lab {
    pid: String,
    /// Never waited for: it ends with this process, when the pipe to its stdin closes, and
    /// takes the registries and the lab's directory with it.
    _holder: Mutex<Child>,
    next_port: AtomicU16,
}

impl Lab {
    /// The lab of this test process, set up on first use and torn down when it exits.
    pub fn get() -> &'static Lab {
        static LAB: OnceLock<Lab> = OnceLock::new();
        LAB.get_or_init(Lab::start)
    }

    fn start() -> Lab {
        for tool in [
            "unshare",
            "nsenter",
            "ip",
            "docker-registry",
            "htpasswd",
            "docker",
            "curl",
        ] {
            if which(tool).is_none() {
                panic!("`{tool}` is needed for the ECR tests; install with: {INSTALL}");
            }
        }
        // Removed by the holder, since a static is never dropped.
        let dir = tempfile::Builder::new()
            .prefix("runas-lab-")
            .tempdir()
            .expect("a temporary directory")
            .keep();
        let d = dir.as_path();
        std::fs::write(
            d.join("hosts"),
            format!(
                "127.0.0.1 localhost\n127.0.0.1 {HOST_USE1}\n127.0.0.1 {HOST_EUW1}\n127.0.0.1 {HOST_USW2}\n\
                 127.0.0.1 {HOST_OTHER_ACCOUNT}\n127.0.0.1 {HOST_FIPS_USE1}\n127.0.0.1 {HOST_DUAL_STACK_USE1}\n127.0.0.2 {HOST_REJECTING}\n127.0.0.1 {HOST_PUBLIC}\n"
            ),
        )
        .expect("hosts");
        for (name, address, password) in [
            ("one", "127.0.0.1", PASSWORD),
            ("two", "127.0.0.2", OTHER_PASSWORD),
        ] {
            let htpasswd = Command::new("htpasswd")
                .args(["-Bbn", "AWS", password])
                .output()
                .expect("htpasswd");
            std::fs::write(d.join(format!("{name}.htpasswd")), htpasswd.stdout)
                .expect("htpasswd file");
            std::fs::write(
                d.join(format!("{name}.yml")),
                format!(
                    "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {root}\n\
                     http:\n  addr: {address}:80\nauth:\n  htpasswd:\n    realm: ecr-test\n    path: {htpasswd}\n",
                    root = d.join(name).display(),
                    htpasswd = d.join(format!("{name}.htpasswd")).display(),
                ),
            )
            .expect("registry config");
        }
        // The holder keeps the namespaces alive. When this process exits, however it ends,
        // its stdin closes: it then stops the registries (by pid: `jobs -p` in a command
        // substitution lists nothing in dash) and removes the directory. It ignores the
        // signals that end the tests, so that it lives to do that.
        let script = r#"
            ip link set lo up && mount --bind "$1/hosts" /etc/hosts || exit 1
            docker-registry serve "$1/one.yml" >"$1/one.log" 2>&1 &
            one=$!
            docker-registry serve "$1/two.yml" >"$1/two.log" 2>&1 &
            two=$!
            trap '' INT TERM HUP QUIT PIPE
            # dash would report the registries a signal ended ("Terminated") on stderr.
            stop() { kill $one $two 2>/dev/null; exec 2>/dev/null; wait; rm -rf "$1"; }
            for address in 127.0.0.1 127.0.0.2; do
                tries=0
                until curl -s -o /dev/null "http://$address:80/v2/"; do
                    tries=$((tries + 1))
                    if [ $tries -ge 200 ]; then
                        echo "registry on $address did not start"; cat "$1"/*.log; stop "$1"; exit 1
                    fi
                    sleep 0.05
                done
            done
            echo "ready $$"
            read _ || true
            stop "$1"
        "#;
        let mut holder = Command::new("unshare")
            .args(["--net", "--mount", "sh", "-c", script, "sh"])
            .arg(d)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run unshare ({e}); install with: {INSTALL}"));
        let mut line = String::new();
        BufReader::new(holder.stdout.take().expect("stdout was piped"))
            .read_line(&mut line)
            .expect("the lab's first line");
        let pid = line
            .strip_prefix("ready ")
            .map(|p| p.trim().to_owned())
            .unwrap_or_else(|| panic!("the ECR lab did not start ({line:?}); it needs root for unshare, and: {INSTALL}"));
        Lab {
            pid,
            _holder: Mutex::new(holder),
            next_port: AtomicU16::new(20000),
        }
    }

    /// `program` run inside the lab.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new("nsenter");
        cmd.args(["--target", &self.pid, "--mount", "--net", "--"])
            .arg(program);
        cmd
    }

    /// A moto of its own for one test, inside the lab.
    pub fn moto(&self, latency_ms: u32) -> Moto {
        let port = self.next_port.fetch_add(1, Ordering::Relaxed);
        // `Moto::start_with` adds python3 and the script after the launcher's arguments.
        let mut launcher = Command::new("nsenter");
        launcher.args(["--target", &self.pid, "--mount", "--net", "--"]);
        Moto::start_with(launcher, port, latency_ms)
    }

    /// The ECR Public stand-in (moto has no ECR Public), inside the lab: the running
    /// process (stopped when dropped), its URL and its request log.
    pub fn ecr_public(&self, dir: &std::path::Path) -> (Guard, String, PathBuf) {
        let port = self.next_port.fetch_add(1, Ordering::Relaxed);
        let log = dir.join("ecr-public.log");
        let mut standin = self.command("python3");
        standin
            .arg(format!(
                "{}/tests/support/ecr_public_standin.py",
                env!("CARGO_MANIFEST_DIR")
            ))
            .args(["--port", &port.to_string(), "--password", PASSWORD, "--log"])
            .arg(&log);
        let mut child = Guard::new(
            guarded(&standin, None)
                .stdout(Stdio::piped())
                .spawn()
                .expect("python3"),
        );
        let mut line = String::new();
        BufReader::new(child.child().stdout.take().expect("stdout was piped"))
            .read_line(&mut line)
            .expect("the stand-in's first line");
        assert_eq!(line.trim(), "listening");
        (child, format!("http://127.0.0.1:{port}"), log)
    }

    /// `runas` inside the lab, with `env`'s environment, a docker that records its argv and
    /// environment first on PATH, and a Docker config of the test's own.
    pub fn runas(&self, env: &TestEnv, args: &[&str]) -> Run {
        Run::from(
            self.runas_command(env)
                .args(args)
                .output()
                .expect("run runas in the lab"),
        )
    }

    pub fn runas_command(&self, env: &TestEnv) -> Command {
        let template = env.command();
        let mut cmd = self.command(env!("CARGO_BIN_EXE_runas"));
        cmd.env_clear();
        for (k, v) in template.get_envs() {
            if let Some(v) = v {
                cmd.env(k, v);
            }
        }
        let docker = which("docker").expect("docker CLI");
        let bin = env.path("bin");
        std::fs::create_dir_all(&bin).expect("bin");
        script(
            env,
            "bin/docker",
            &format!(
                "printf '%s\\n' \"$*\" >> \"$HOME/docker-argv.log\"\nenv >> \"$HOME/docker-env.log\"\nexec {} \"$@\"",
                docker.display()
            ),
        );
        cmd.env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("DOCKER_CONFIG", env.path("docker"));
        cmd
    }

    /// HTTP status of GET http://HOST/v2/ with an Authorization header, from inside.
    pub fn registry_status(&self, host: &str, authorization: &str) -> String {
        let out = self
            .command("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H"])
            .arg(format!("Authorization: {authorization}"))
            .arg(format!("http://{host}/v2/"))
            .output()
            .expect("curl");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

pub fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(tool))
            .find(|p| p.is_file())
    })
}

/// A one-layer OCI image in `dir`, tagged `1`.
pub fn oci_image(dir: &std::path::Path) {
    let script = r#"
import gzip, hashlib, io, json, os, sys, tarfile
out = sys.argv[1]
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs)
def blob(data):
    digest = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, digest), "wb").write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}
tar = io.BytesIO()
with tarfile.open(fileobj=tar, mode="w") as t:
    data = b"built by the runas tests\n"
    info = tarfile.TarInfo("hello.txt"); info.size = len(data); info.mtime = 0
    t.addfile(info, io.BytesIO(data))
raw = tar.getvalue()
layer = blob(gzip.compress(raw, mtime=0))
config = blob(json.dumps({"architecture": "amd64", "os": "linux",
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]}}).encode())
manifest = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
    "layers": [dict(layer, mediaType="application/vnd.oci.image.layer.v1.tar+gzip")]}).encode())
json.dump({"schemaVersion": 2, "manifests": [dict(manifest, mediaType="application/vnd.oci.image.manifest.v1+json",
    annotations={"org.opencontainers.image.ref.name": "1"})]}, open(os.path.join(out, "index.json"), "w"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(os.path.join(out, "oci-layout"), "w"))
"#;
    let status = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(dir)
        .status()
        .expect("python3");
    assert!(status.success());
}
