//! Benchmarks the photo pipeline against `vipsthumbnail` on the same phone-like photos, in the same run.
//!
//! ```text
//! bench-photos [--count N] [--threads T[,T…]] [--timeout SECS] [--keep DIR]
//! ```
//!
//! Generates N (default 24, at most 200) 12-megapixel phone-like JPEGs (4032×3024, q92,
//! 4:2:0, textured content, EXIF with GPS and an embedded thumbnail, a third with
//! Orientation=6) in a temporary folder, then for each thread count (default 1; `--threads
//! 2`, or `--threads 1,2` for both):
//!
//! - runs `vipsthumbnail` twice per photo (display: `--size 1600x1600 -o OUT.jpg[Q=82,strip]`,
//!   thumbnail: `--size 320x320 -o OUT.jpg[Q=75,strip]`), T processes at a time, each with
//!   `VIPS_CONCURRENCY=1`;
//! - runs our pipeline (`make_variants`) over the same files with T threads, in a child
//!   process (this binary, re-executed), writing the same two outputs per photo.
//!
//! Both sides run as child processes, timed from the first spawn to the last exit, and peak
//! RSS is the `ru_maxrss` that `wait4` reports for each child: for ours the one worker
//! process; for vips the largest `vipsthumbnail` process of each of the T lanes, summed
//! (what T concurrent processes can hold at once). Every output of both sides is checked
//! (dimensions; for ours also that no metadata segment is left), so a broken pipeline
//! cannot look fast. Exits non-zero on any failure or when a run passes its time limit.
//! `vipsthumbnail` comes from Debian's `libvips-tools`, installed when missing and root.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use flowwalk_server::photos::pipeline::{Limits, make_variants};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

const WIDTH: u32 = 4032;
const HEIGHT: u32 = 3024;
const MAX_COUNT: usize = 200;
const MAX_THREADS: usize = 16;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("--worker") => worker(&args[1..]),
        Some("--generate") => generate(&args[1..]),
        _ => bench(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-photos: {message}");
            ExitCode::FAILURE
        }
    }
}

struct Options {
    count: usize,
    threads: Vec<usize>,
    timeout: Option<Duration>,
    keep: Option<PathBuf>,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        count: 24,
        threads: vec![1],
        timeout: None,
        keep: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--count" => {
                options.count = value()?
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_COUNT).contains(n))
                    .ok_or(format!("--count takes 1 to {MAX_COUNT}"))?;
            }
            "--threads" => {
                options.threads = value()?
                    .split(',')
                    .map(|t| {
                        t.trim()
                            .parse()
                            .ok()
                            .filter(|n| (1..=MAX_THREADS).contains(n))
                    })
                    .collect::<Option<Vec<usize>>>()
                    .ok_or(format!(
                        "--threads takes 1 to {MAX_THREADS}, or a list: 1,2"
                    ))?;
            }
            "--timeout" => {
                let secs: u64 = value()?
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or("--timeout takes seconds")?;
                options.timeout = Some(Duration::from_secs(secs));
            }
            "--keep" => options.keep = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                return Err(
                    "usage: bench-photos [--count N] [--threads T[,T…]] [--timeout SECS] [--keep DIR]"
                        .to_owned(),
                );
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(options)
}

// ---- the benchmark ------------------------------------------------------------------------

struct Photo {
    path: PathBuf,
    rotated: bool,
}

struct Run {
    name: &'static str,
    threads: usize,
    photos_per_s: f64,
    peak_rss_kb: i64,
    /// CPU time per photo (all threads and processes of that side), in ms.
    cpu_ms: f64,
    /// CPU used by other processes during the run, in cores (0 = a clean measurement).
    others: f64,
}

fn bench(args: &[String]) -> Result<(), String> {
    let options = parse_options(args)?;
    ensure_vipsthumbnail()?;

    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| {
            l.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .unwrap_or(0.0);

    let temp = tempfile::Builder::new()
        .prefix("bench-photos-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    let root = match &options.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            dir.clone()
        }
        None => temp.path().to_path_buf(),
    };
    let input = root.join("in");
    std::fs::create_dir_all(&input).map_err(|e| e.to_string())?;

    // Generated in a child process: a child's ru_maxrss starts from its parent's peak (exec
    // records the old address space's high-water mark), so this process must stay small.
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let watchdog = Watchdog::start(Duration::from_secs(60 + 5 * options.count as u64));
    let generated = run_child(
        Command::new(&exe)
            .arg("--generate")
            .arg(&input)
            .arg(options.count.to_string())
            .arg(cores.to_string()),
        &watchdog,
    );
    watchdog.stop();
    generated.map_err(|e| format!("generating photos: {e}"))?;
    let photos: Vec<Photo> = (0..options.count)
        .map(|i| Photo {
            path: photo_path(&input, i),
            rotated: is_rotated(i),
        })
        .collect();
    let total_bytes: u64 = photos
        .iter()
        .map(|p| std::fs::metadata(&p.path).map_or(0, |m| m.len()))
        .sum();
    println!(
        "generated {} photos {WIDTH}x{HEIGHT} q92 4:2:0 with EXIF+GPS ({} with Orientation=6), \
         avg {:.2} MB, in {:.1} s; {cores} cores, load {load:.2}",
        photos.len(),
        photos.iter().filter(|p| p.rotated).count(),
        total_bytes as f64 / photos.len() as f64 / 1e6,
        started.elapsed().as_secs_f64(),
    );

    let list = root.join("photos.txt");
    let listing: String = photos
        .iter()
        .map(|p| format!("{}\t{}\n", p.path.display(), u8::from(p.rotated)))
        .collect();
    std::fs::write(&list, listing).map_err(|e| e.to_string())?;

    // Warm-up (libraries into the page cache), not measured.
    let warm = root.join("warm");
    std::fs::create_dir_all(&warm).map_err(|e| e.to_string())?;
    let watchdog = Watchdog::start(Duration::from_secs(60));
    run_vips(&photos[..1], &warm, 1, &watchdog)?;
    watchdog.stop();

    let timeout = options
        .timeout
        .unwrap_or(Duration::from_secs(30 + 2 * options.count as u64));
    let mut runs = Vec::new();
    for &threads in &options.threads {
        let out = root.join(format!("vips-{threads}"));
        std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
        let watchdog = Watchdog::start(timeout);
        let start = Instant::now();
        let busy = busy_cpu_seconds();
        let usage = run_vips(&photos, &out, threads, &watchdog);
        let busy = busy_cpu_seconds() - busy;
        let elapsed = start.elapsed().as_secs_f64();
        watchdog.stop();
        let usage = usage?;
        verify_outputs(&photos, &out, false)?;
        runs.push(Run {
            name: "vipsthumbnail CLI (2 calls/photo)",
            threads,
            photos_per_s: photos.len() as f64 / elapsed,
            peak_rss_kb: usage.max_rss_kb,
            cpu_ms: usage.cpu_seconds * 1e3 / photos.len() as f64,
            others: (busy - usage.cpu_seconds).max(0.0) / elapsed,
        });

        let out = root.join(format!("ours-{threads}"));
        std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
        let mut command = Command::new(&exe);
        command
            .arg("--worker")
            .arg(&list)
            .arg(&out)
            .arg(threads.to_string())
            .stdin(Stdio::null());
        let watchdog = Watchdog::start(timeout);
        let start = Instant::now();
        let busy = busy_cpu_seconds();
        let usage = run_child(&mut command, &watchdog);
        let busy = busy_cpu_seconds() - busy;
        let elapsed = start.elapsed().as_secs_f64();
        watchdog.stop();
        let usage = usage.map_err(|e| format!("our pipeline: {e}"))?;
        verify_outputs(&photos, &out, true)?;
        runs.push(Run {
            name: "flowwalk pipeline (pure Rust)",
            threads,
            photos_per_s: photos.len() as f64 / elapsed,
            peak_rss_kb: usage.max_rss_kb,
            cpu_ms: usage.cpu_seconds * 1e3 / photos.len() as f64,
            others: (busy - usage.cpu_seconds).max(0.0) / elapsed,
        });
    }

    print_table(&runs);
    // SAFETY: rusage is plain old data; getrusage only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is to a live local.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    println!(
        "(every child's RSS includes this process's own peak, {} MB, as a floor)",
        usage.ru_maxrss / 1024
    );
    Ok(())
}

fn print_table(runs: &[Run]) {
    println!();
    println!(
        "{:<36} {:>7} {:>10} {:>10} {:>13} {:>8}",
        "pipeline", "threads", "photos/s", "peak RSS", "CPU ms/photo", "others*"
    );
    for run in runs {
        println!(
            "{:<36} {:>7} {:>10.1} {:>7} MB {:>13.0} {:>8.2}",
            run.name,
            run.threads,
            run.photos_per_s,
            run.peak_rss_kb / 1024,
            run.cpu_ms,
            run.others
        );
    }
    for pair in runs.chunks(2) {
        if let [vips, ours] = pair {
            println!(
                "{:<36} {:>7} {:>9.2}x {:>9.2}x {:>12.2}x",
                "ratio ours/vips",
                ours.threads,
                ours.photos_per_s / vips.photos_per_s,
                ours.peak_rss_kb as f64 / vips.peak_rss_kb.max(1) as f64,
                ours.cpu_ms / vips.cpu_ms.max(1e-9)
            );
        }
    }
    println!(
        "(peak RSS: ru_maxrss of our worker process; for vips the largest vipsthumbnail \
         process of each concurrent lane, summed)"
    );
    println!(
        "(*others: CPU cores other processes used during the run; above ~0.1 the figures \
         are low — rerun on an idle machine)"
    );
    if runs.iter().any(|r| r.others > 0.1) {
        eprintln!("warning: other processes used the CPU during the benchmark (see others*)");
    }
}

// ---- vipsthumbnail ------------------------------------------------------------------------

fn ensure_vipsthumbnail() -> Result<(), String> {
    let present = || {
        Command::new("vipsthumbnail")
            .arg("--vips-version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if present() {
        return Ok(());
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Err("vipsthumbnail is missing: install Debian's libvips-tools \
             (sudo apt-get install -y libvips-tools) or run as root"
            .to_owned());
    }
    eprintln!("vipsthumbnail is missing: apt-get install -y libvips-tools");
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-q", "libvips-tools"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    if !install() {
        let _ = Command::new("apt-get").args(["update", "-q"]).status();
        install();
    }
    if present() {
        Ok(())
    } else {
        Err("vipsthumbnail is still missing after apt-get install -y libvips-tools".to_owned())
    }
}

/// Runs vipsthumbnail twice per photo, `threads` processes at a time; returns the summed
/// peak RSS of the lanes, in KiB.
fn run_vips(
    photos: &[Photo],
    out: &Path,
    threads: usize,
    watchdog: &Watchdog,
) -> Result<Usage, String> {
    let next = AtomicUsize::new(0);
    let lanes: Vec<Result<Usage, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut lane = Usage::default();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(photo) = photos.get(i) else {
                            return Ok(lane);
                        };
                        for (kind, size, quality) in [("display", 1600, 82), ("thumb", 320, 75)] {
                            let mut target = OsString::from(out.join(format!("{i:03}-{kind}.jpg")));
                            target.push(format!("[Q={quality},strip]"));
                            let mut command = Command::new("vipsthumbnail");
                            command
                                .arg(&photo.path)
                                .arg("--size")
                                .arg(format!("{size}x{size}"))
                                .arg("-o")
                                .arg(target)
                                .env("VIPS_CONCURRENCY", "1")
                                .stdin(Stdio::null())
                                .stdout(Stdio::null());
                            let usage = run_child(&mut command, watchdog).map_err(|e| {
                                format!("vipsthumbnail {}: {e}", photo.path.display())
                            })?;
                            lane.max_rss_kb = lane.max_rss_kb.max(usage.max_rss_kb);
                            lane.cpu_seconds += usage.cpu_seconds;
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err("a vips lane panicked".to_owned())))
            .collect()
    });
    let mut total = Usage::default();
    for lane in lanes {
        let lane = lane?;
        total.max_rss_kb += lane.max_rss_kb;
        total.cpu_seconds += lane.cpu_seconds;
    }
    Ok(total)
}

// ---- our pipeline, in a child process -----------------------------------------------------

/// `--worker LIST OUT THREADS`: runs make_variants over the photos in LIST (path TAB rotated).
fn worker(args: &[String]) -> Result<(), String> {
    let [list, out, threads] = args else {
        return Err("usage: --worker LIST OUT THREADS".to_owned());
    };
    let threads: usize = threads.parse().map_err(|_| "bad thread count")?;
    let out = PathBuf::from(out);
    let list = std::fs::read_to_string(list).map_err(|e| format!("{list}: {e}"))?;
    let photos: Vec<(PathBuf, bool)> = list
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(path, rotated)| (PathBuf::from(path), rotated == "1"))
        .collect();
    let limits = Limits::default();
    let next = AtomicUsize::new(0);
    let results: Vec<Result<(), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((path, rotated)) = photos.get(i) else {
                            return Ok(());
                        };
                        let bytes =
                            std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
                        let v = make_variants(&bytes, &limits)
                            .map_err(|e| format!("{}: {e}", path.display()))?;
                        let expected = if *rotated {
                            (HEIGHT, WIDTH)
                        } else {
                            (WIDTH, HEIGHT)
                        };
                        if (v.width, v.height) != expected {
                            return Err(format!(
                                "{}: original reported as {}x{}, expected {}x{}",
                                path.display(),
                                v.width,
                                v.height,
                                expected.0,
                                expected.1
                            ));
                        }
                        for (kind, data) in [("display", &v.display), ("thumb", &v.thumb)] {
                            let target = out.join(format!("{i:03}-{kind}.jpg"));
                            std::fs::write(&target, data)
                                .map_err(|e| format!("{}: {e}", target.display()))?;
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or(Err("a worker thread panicked".to_owned()))
            })
            .collect()
    });
    results.into_iter().collect()
}

/// Checks every output: dimensions (orientation applied), and for ours no metadata.
fn verify_outputs(photos: &[Photo], out: &Path, strict: bool) -> Result<(), String> {
    for (i, photo) in photos.iter().enumerate() {
        for (kind, long, short) in [("display", 1600, 1200), ("thumb", 320, 240)] {
            let path = out.join(format!("{i:03}-{kind}.jpg"));
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let header = jpeg_header(&bytes).ok_or(format!("{}: not a JPEG", path.display()))?;
            let expected = if photo.rotated {
                (short, long)
            } else {
                (long, short)
            };
            if header.size != expected {
                return Err(format!(
                    "{}: {}x{}, expected {}x{}",
                    path.display(),
                    header.size.0,
                    header.size.1,
                    expected.0,
                    expected.1
                ));
            }
            if strict
                && let Some(m) = header
                    .markers
                    .iter()
                    .find(|m| (0xE1..=0xEF).contains(*m) || **m == 0xFE)
            {
                return Err(format!(
                    "{}: metadata segment {m:#04x} left",
                    path.display()
                ));
            }
            if strict && bytes.windows(4).any(|w| w == b"Exif") {
                return Err(format!("{}: contains \"Exif\"", path.display()));
            }
        }
    }
    Ok(())
}

struct JpegHeader {
    size: (u32, u32),
    markers: Vec<u8>,
}

/// Markers before the first scan and the frame size, from the JPEG's segments.
fn jpeg_header(bytes: &[u8]) -> Option<JpegHeader> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut markers = Vec::new();
    let mut size = None;
    let mut at = 2;
    while at + 4 <= bytes.len() && bytes[at] == 0xFF {
        let marker = bytes[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            return size.map(|size| JpegHeader { size, markers });
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
            let sof = bytes.get(at + 4..at + 9)?;
            let height = u32::from(u16::from_be_bytes([sof[1], sof[2]]));
            let width = u32::from(u16::from_be_bytes([sof[3], sof[4]]));
            size = Some((width, height));
        }
        at += 2 + len;
    }
    None
}

// ---- child processes with rusage and a time limit ----------------------------------------

/// Kills the registered children once the deadline passes.
struct Watchdog {
    pids: Arc<Mutex<HashSet<i32>>>,
    expired: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
    limit: Duration,
}

impl Watchdog {
    fn start(limit: Duration) -> Watchdog {
        let watchdog = Watchdog {
            pids: Arc::default(),
            expired: Arc::default(),
            done: Arc::default(),
            limit,
        };
        let (pids, expired, done) = (
            watchdog.pids.clone(),
            watchdog.expired.clone(),
            watchdog.done.clone(),
        );
        let deadline = Instant::now() + limit;
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if Instant::now() >= deadline {
                    expired.store(true, Ordering::Relaxed);
                    if let Ok(pids) = pids.lock() {
                        for &pid in pids.iter() {
                            // SAFETY: kill has no memory preconditions; pid is our own child.
                            unsafe { libc::kill(pid, libc::SIGKILL) };
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        watchdog
    }

    fn stop(&self) {
        self.done.store(true, Ordering::Relaxed);
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Usage {
    max_rss_kb: i64,
    cpu_seconds: f64,
}

/// CPU seconds all cores spent busy (including steal) since boot, from /proc/stat.
fn busy_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(cpu) = stat.lines().find(|l| l.starts_with("cpu ")) else {
        return 0.0;
    };
    let fields: Vec<f64> = cpu
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal, in clock ticks.
    let busy: f64 =
        fields.iter().sum::<f64>() - fields.get(3).unwrap_or(&0.0) - fields.get(4).unwrap_or(&0.0);
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    busy / if ticks > 0 { ticks as f64 } else { 100.0 }
}

/// Spawns the command, waits for it with `wait4` and returns its peak RSS and CPU time.
fn run_child(command: &mut Command, watchdog: &Watchdog) -> Result<Usage, String> {
    if watchdog.expired.load(Ordering::Relaxed) {
        return Err(format!("time limit of {:?} passed", watchdog.limit));
    }
    let child = command.spawn().map_err(|e| format!("cannot start: {e}"))?;
    let pid = i32::try_from(child.id()).map_err(|_| "pid out of range")?;
    if let Ok(mut pids) = watchdog.pids.lock() {
        pids.insert(pid);
    }
    let mut status = 0;
    // SAFETY: rusage is plain old data; all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = loop {
        // SAFETY: pid is our child (std does not reap it: `child` is never waited on), and
        // both pointers are to live locals.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break r;
    };
    if let Ok(mut pids) = watchdog.pids.lock() {
        pids.remove(&pid);
    }
    drop(child);
    if waited != pid {
        return Err(format!("wait4 failed: {}", std::io::Error::last_os_error()));
    }
    if watchdog.expired.load(Ordering::Relaxed) {
        return Err(format!("time limit of {:?} passed", watchdog.limit));
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("failed (wait status {status:#x})"));
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok(Usage {
        max_rss_kb: usage.ru_maxrss,
        cpu_seconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
    })
}

// ---- phone-like photos --------------------------------------------------------------------

fn photo_path(dir: &Path, i: usize) -> PathBuf {
    dir.join(format!("IMG_{:04}.jpg", 1000 + i))
}

fn is_rotated(i: usize) -> bool {
    i % 3 == 2
}

/// `--generate DIR COUNT THREADS`: writes the phone-like photos.
fn generate(args: &[String]) -> Result<(), String> {
    let [dir, count, threads] = args else {
        return Err("usage: --generate DIR COUNT THREADS".to_owned());
    };
    let count: usize = count.parse().map_err(|_| "bad count")?;
    let threads: usize = threads.parse().map_err(|_| "bad thread count")?;
    generate_photos(
        Path::new(dir),
        count.min(MAX_COUNT),
        threads.clamp(1, MAX_THREADS),
    )
}

fn generate_photos(dir: &Path, count: usize, threads: usize) -> Result<(), String> {
    let next = AtomicUsize::new(0);
    let results: Vec<Result<(), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            return Ok(());
                        }
                        let jpeg = phone_jpeg(i as u64, is_rotated(i))?;
                        let path = photo_path(dir, i);
                        std::fs::write(&path, jpeg)
                            .map_err(|e| format!("{}: {e}", path.display()))?;
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or(Err("a generator thread panicked".to_owned()))
            })
            .collect()
    });
    results.into_iter().collect()
}

/// xorshift64*: deterministic, fast, good enough for pictures.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u32) -> u32 {
        (self.next() >> 33) as u32 % n.max(1)
    }
}

/// Smooth random field: a lattice of random values every `cell` pixels, bilinearly
/// interpolated; values 0..=255.
struct Noise {
    cell: u32,
    cols: usize,
    values: Vec<u8>,
}

impl Noise {
    fn new(rng: &mut Rng, cell: u32) -> Noise {
        let cols = (WIDTH / cell + 2) as usize;
        let rows = (HEIGHT / cell + 2) as usize;
        let values = (0..cols * rows).map(|_| rng.next() as u8).collect();
        Noise { cell, cols, values }
    }
    fn at(&self, x: u32, y: u32) -> i32 {
        let (cx, fx) = ((x / self.cell) as usize, (x % self.cell) as i32);
        let (cy, fy) = ((y / self.cell) as usize, (y % self.cell) as i32);
        let c = self.cell as i32;
        let v = |dx: usize, dy: usize| i32::from(self.values[(cy + dy) * self.cols + cx + dx]);
        let top = v(0, 0) * (c - fx) + v(1, 0) * fx;
        let bottom = v(0, 1) * (c - fx) + v(1, 1) * fx;
        (top * (c - fy) + bottom * fy) / (c * c)
    }
}

struct Rect {
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
    color: [i32; 3],
    sign: bool,
}

/// A service-hall-like scene: wall and tiled floor with lighting, counters and signs with
/// text-like strokes, surface texture at several scales, and sensor noise.
fn phone_pixels(seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed + 1);
    let color = |rng: &mut Rng| {
        [
            40 + rng.below(180) as i32,
            40 + rng.below(180) as i32,
            40 + rng.below(180) as i32,
        ]
    };
    let horizon = HEIGHT / 2 + rng.below(HEIGHT / 5);
    let wall = color(&mut rng);
    let floor = color(&mut rng);
    let tile = 150 + rng.below(80);
    let rects: Vec<Rect> = (0..8 + rng.below(6))
        .map(|_| {
            let w = 200 + rng.below(1400);
            let h = 120 + rng.below(900);
            let x0 = rng.below(WIDTH - 100);
            let y0 = rng.below(HEIGHT - 100);
            Rect {
                x0,
                y0,
                x1: (x0 + w).min(WIDTH),
                y1: (y0 + h).min(HEIGHT),
                color: color(&mut rng),
                sign: rng.below(2) == 0,
            }
        })
        .collect();
    let light = Noise::new(&mut rng, 700);
    let coarse = Noise::new(&mut rng, 48);
    let fine = Noise::new(&mut rng, 5);
    let fine2 = Noise::new(&mut rng, 3);

    let mut pixels = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    for (y, row) in pixels.chunks_exact_mut((WIDTH * 3) as usize).enumerate() {
        let y = y as u32;
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            let x = x as u32;
            let mut base = if y < horizon { wall } else { floor };
            let mut detail = fine.at(x, y) - 128;
            if y >= horizon && (x % tile < 4 || (y - horizon) % (tile / 2) < 3) {
                base = [base[0] / 2, base[1] / 2, base[2] / 2]; // grout lines
            }
            // Topmost rectangle wins.
            if let Some(r) = rects
                .iter()
                .rev()
                .find(|r| x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1)
            {
                base = r.color;
                if x < r.x0 + 6 || y < r.y0 + 6 || x + 6 >= r.x1 || y + 6 >= r.y1 {
                    base = [30, 30, 30]; // frames
                } else if r.sign {
                    // Text-like strokes: rows of glyph cells with random bars.
                    let (gx, gy) = ((x - r.x0) / 22, (y - r.y0) / 40);
                    let (ix, iy) = ((x - r.x0) % 22, (y - r.y0) % 40);
                    let h = (gx.wrapping_mul(73_856_093) ^ gy.wrapping_mul(19_349_663)) >> 3;
                    let stroke = iy > 6
                        && iy < 34
                        && ((h & 1 == 1 && ix > 3 && ix < 7)
                            || (h & 2 == 2 && ix > 12 && ix < 16)
                            || (h & 4 == 4 && (iy - 6) % 14 < 3 && ix > 3 && ix < 17));
                    if stroke {
                        base = [20, 20, 25];
                    }
                    detail /= 3;
                }
            }
            let shade = (light.at(x, y) - 128) / 3 + (coarse.at(x, y) - 128) / 6;
            let grain = (fine2.at(x, y) - 128) / 10 + detail / 4;
            let n = rng.next();
            let sensor = (n % 5) as i32 - 2;
            for (c, out) in px.iter_mut().enumerate() {
                let chroma = ((n >> (8 + 8 * c)) & 3) as i32 - 2;
                *out = (base[c] + shade + grain + sensor + chroma).clamp(0, 255) as u8;
            }
        }
    }
    pixels
}

fn jpeg(pixels: &[u8], width: u32, height: u32, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(pixels.len() / 6);
    let mut encoder = Encoder::new(&mut out, quality);
    encoder.set_sampling_factor(SamplingFactor::R_4_2_0);
    let (w, h) = (
        u16::try_from(width).map_err(|_| "width")?,
        u16::try_from(height).map_err(|_| "height")?,
    );
    encoder
        .encode(pixels, w, h, ColorType::Rgb)
        .map_err(|e| format!("encoding a test photo: {e}"))?;
    Ok(out)
}

/// A phone-like JPEG: SOI, APP1 Exif (make, model, date, GPS, a 160×120 thumbnail and, for a
/// third, Orientation=6), then the image.
fn phone_jpeg(seed: u64, rotated: bool) -> Result<Vec<u8>, String> {
    let pixels = phone_pixels(seed);
    let encoded = jpeg(&pixels, WIDTH, HEIGHT, 92)?;
    let small = downscale(&pixels, WIDTH, HEIGHT, 160, 120);
    let exif = exif_payload(
        if rotated { 6 } else { 1 },
        &jpeg(&small, 160, 120, 80)?,
        seed,
    );
    // Replace the encoder's JFIF APP0 (SOI FFE0 len …) by the Exif APP1, as phones do.
    let rest = match encoded.get(2..4) {
        Some([0xFF, 0xE0]) => {
            let len = usize::from(u16::from_be_bytes([encoded[4], encoded[5]]));
            &encoded[4 + len..]
        }
        _ => &encoded[2..],
    };
    let mut out = Vec::with_capacity(encoded.len() + exif.len() + 4);
    out.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xE1]);
    let len = u16::try_from(exif.len() + 2).map_err(|_| "EXIF too large")?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(rest);
    Ok(out)
}

/// Box-filter downscale by sampling (for the EXIF thumbnail only).
fn downscale(pixels: &[u8], w: u32, h: u32, tw: u32, th: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity((tw * th * 3) as usize);
    for ty in 0..th {
        for tx in 0..tw {
            let (x, y) = (tx * w / tw, ty * h / th);
            let i = ((y * w + x) * 3) as usize;
            out.extend_from_slice(&pixels[i..i + 3]);
        }
    }
    out
}

enum Value {
    Ascii(String),
    Short(u16),
    Long(u32),
    Rationals(Vec<(u32, u32)>),
    Ifd(usize),
    Blob(Vec<u8>),
}

/// "Exif\0\0" + a little-endian TIFF: IFD0 (make, model, orientation, Exif and GPS
/// pointers) → IFD1 (the thumbnail), the Exif sub-IFD and the GPS IFD.
fn exif_payload(orientation: u16, thumbnail: &[u8], seed: u64) -> Vec<u8> {
    let ifds: Vec<Vec<(u16, Value)>> = vec![
        vec![
            (0x010F, Value::Ascii("FlowPhone".to_owned())),
            (0x0110, Value::Ascii("FP-1 Pro".to_owned())),
            (0x0112, Value::Short(orientation)),
            (0x0131, Value::Ascii("FP-1 Pro build 14.2".to_owned())),
            (0x8769, Value::Ifd(2)),
            (0x8825, Value::Ifd(3)),
        ],
        vec![
            (0x0103, Value::Short(6)),
            (0x0201, Value::Blob(thumbnail.to_vec())),
            (0x0202, Value::Long(thumbnail.len() as u32)),
        ],
        vec![
            (0x829A, Value::Rationals(vec![(1, 60)])),
            (0x9003, Value::Ascii("2025:03:14 09:26:53".to_owned())),
            (0xA002, Value::Long(WIDTH)),
            (0xA003, Value::Long(HEIGHT)),
        ],
        vec![
            (0x0001, Value::Ascii("N".to_owned())),
            (
                0x0002,
                Value::Rationals(vec![(39, 1), (54, 1), (2_000_000 + seed as u32, 100_000)]),
            ),
            (0x0003, Value::Ascii("E".to_owned())),
            (
                0x0004,
                Value::Rationals(vec![(116, 1), (23, 1), (4_412_345, 100_000)]),
            ),
        ],
    ];
    let data_len = |v: &Value| match v {
        Value::Ascii(s) if s.len() + 1 > 4 => s.len() + 1,
        Value::Rationals(r) => r.len() * 8,
        Value::Blob(b) => b.len(),
        _ => 0,
    };
    let mut offsets = Vec::new();
    let mut at = 8usize;
    for ifd in &ifds {
        offsets.push(at);
        at += 2 + 12 * ifd.len() + 4;
        at += ifd
            .iter()
            .map(|(_, v)| data_len(v) + data_len(v) % 2)
            .sum::<usize>();
    }
    let mut tiff = b"II\x2A\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    for (i, ifd) in ifds.iter().enumerate() {
        let data_start = offsets[i] + 2 + 12 * ifd.len() + 4;
        let mut data: Vec<u8> = Vec::new();
        tiff.extend_from_slice(&(ifd.len() as u16).to_le_bytes());
        for (tag, value) in ifd {
            let here = (data_start + data.len()) as u32;
            let (kind, count, inline): (u16, u32, [u8; 4]) = match value {
                Value::Ascii(s) => {
                    let mut bytes = s.as_bytes().to_vec();
                    bytes.push(0);
                    let n = bytes.len() as u32;
                    if bytes.len() <= 4 {
                        bytes.resize(4, 0);
                        (2, n, [bytes[0], bytes[1], bytes[2], bytes[3]])
                    } else {
                        data.extend_from_slice(&bytes);
                        (2, n, here.to_le_bytes())
                    }
                }
                Value::Short(v) => {
                    let b = v.to_le_bytes();
                    (3, 1, [b[0], b[1], 0, 0])
                }
                Value::Long(v) => (4, 1, v.to_le_bytes()),
                Value::Rationals(r) => {
                    for (n, d) in r {
                        data.extend_from_slice(&n.to_le_bytes());
                        data.extend_from_slice(&d.to_le_bytes());
                    }
                    (5, r.len() as u32, here.to_le_bytes())
                }
                Value::Ifd(j) => (4, 1, (offsets[*j] as u32).to_le_bytes()),
                Value::Blob(b) => {
                    data.extend_from_slice(b);
                    (4, 1, here.to_le_bytes())
                }
            };
            if data.len() % 2 == 1 {
                data.push(0);
            }
            tiff.extend_from_slice(&tag.to_le_bytes());
            tiff.extend_from_slice(&kind.to_le_bytes());
            tiff.extend_from_slice(&count.to_le_bytes());
            tiff.extend_from_slice(&inline);
        }
        let next = if i == 0 { offsets[1] as u32 } else { 0 };
        tiff.extend_from_slice(&next.to_le_bytes());
        tiff.extend_from_slice(&data);
    }
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    payload
}
