//! The output on filesystems that fight back: a disk that fills up
//! mid-build, an output folder that is a mount point (another filesystem
//! than its twin), a read-only output. Each is a clear error naming the
//! path, and the site already published stays as it was.
//!
//! These need to mount a small tmpfs, which takes root (CI runs as root);
//! elsewhere they say they were skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Site, snapshot};

/// A tmpfs of `size` mounted at `dir` until dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .is_ok_and(|o| o.status.success());
        if !mounted {
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        Some(Tmpfs(dir.to_path_buf()))
    }

    fn read_only(&self) {
        let done = Command::new("mount").args(["-o", "remount,ro"]).arg(&self.0).status().unwrap();
        assert!(done.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Adds `megabytes` of incompressible static file to the site.
fn add_bulk(site: &Site, megabytes: usize) {
    let mut rng = fastrand::Rng::with_seed(7);
    let bytes: Vec<u8> = (0..megabytes * 1024 * 1024).map(|_| rng.u8(..)).collect();
    std::fs::create_dir_all(site.root().join("static")).unwrap();
    std::fs::write(site.root().join("static/archive.bin"), bytes).unwrap();
}

#[test]
fn a_disk_that_fills_up_mid_build_leaves_the_old_site() {
    let site = Site::new(&[]);
    let Some(_disk) = Tmpfs::mount(&site.root().join("disk"), "4m") else { return };
    site.run(&["build", "--output", "disk/public"]).success();
    let old = snapshot(&site.root().join("disk/public"));
    // The new edition is bigger than the space left.
    add_bulk(&site, 5);
    let output = site.run(&["build", "--output", "disk/public"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output.stderr.starts_with("error: cannot write ") && output.stderr.contains("No space left on device"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("disk/public/"), "the error names the path:\n{}", output.stderr);
    assert_eq!(snapshot(&site.root().join("disk/public")), old, "the published site changed");
    // With space again, the next build publishes the new edition.
    std::fs::remove_file(site.root().join("static/archive.bin")).unwrap();
    add_bulk(&site, 1);
    site.run(&["build", "--output", "disk/public"]).success();
    assert_eq!(std::fs::metadata(site.root().join("disk/public/archive.bin")).unwrap().len(), 1024 * 1024);
}

#[test]
fn an_output_folder_that_is_a_mount_point_is_refused_before_building() {
    let site = Site::new(&[]);
    let Some(_disk) = Tmpfs::mount(&site.root().join("mounted"), "8m") else { return };
    let output = site.run(&["build", "--output", "mounted"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    let root = std::fs::canonicalize(site.root()).unwrap();
    assert_eq!(
        output.stderr,
        format!(
            "error: {root}/mounted is a mount point, another filesystem than {root}: broadsheet swaps the new \
             site in by renaming it beside the old one, which cannot cross filesystems; point --output at a \
             folder inside the mount (such as {root}/mounted/public)\n",
            root = root.display()
        )
    );
    assert_eq!(std::fs::read_dir(site.root().join("mounted")).unwrap().count(), 0, "the mount was written to");
    assert!(!site.root().join(".mounted.broadsheet-twin").exists(), "a twin was written");
    // Inside the mount, output and twin share a filesystem and it builds.
    site.run(&["build", "--output", "mounted/public"]).success();
    assert!(site.read("mounted/public/world/harbour-reopens/index.html").contains("Harbour Reopens"));
}

#[test]
fn a_read_only_output_is_an_error_and_the_old_site_stays() {
    let site = Site::new(&[]);
    let Some(disk) = Tmpfs::mount(&site.root().join("disk"), "8m") else { return };
    site.run(&["build", "--output", "disk/public"]).success();
    let old = snapshot(&site.root().join("disk/public"));
    site.write("content/world/2025-03-09-new.md", "+++\ntitle = \"New\"\n+++\nNew.\n");
    disk.read_only();
    let output = site.run(&["build", "--output", "disk/public"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(output.stderr.contains("Read-only file system"), "{}", output.stderr);
    assert!(output.stderr.contains("disk/"), "the error names the path:\n{}", output.stderr);
    assert_eq!(snapshot(&site.root().join("disk/public")), old, "the published site changed");
}
