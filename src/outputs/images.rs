//! Images that fit every screen: resized WebP variants of the JPEG and PNG
//! images articles show, made at build time with the `image` crate (to
//! decode), `fast_image_resize` (to resize) and libwebp (to encode), and
//! kept in a cache folder by the source's content hash and the width, so
//! that a build converts only images that are new or changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bytes::Bytes;

use crate::diag::{Diagnostic, Location};

/// One image's variants to make: its file, the widths, and the article
/// that shows it (named by errors).
pub struct Job<'a> {
    pub source: &'a Path,
    /// The source as errors name it: `content/world/photo.jpg`.
    pub name: &'a str,
    pub widths: Vec<u32>,
    pub article: &'a str,
}

/// Variants kept in memory between builds (`serve`): by source file and
/// its identity, then by width.
#[derive(Default)]
pub struct Memo {
    pub keep: bool,
    made: Mutex<HashMap<(PathBuf, Stamp), HashMap<u32, Bytes>>>,
}

impl Memo {
    pub fn new(keep: bool) -> Memo {
        Memo { keep, made: Mutex::default() }
    }
}

/// A file's identity: inode, size, time of last change.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Stamp {
    inode: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

fn stamp(path: &Path) -> std::io::Result<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path)?;
    Ok(Stamp { inode: meta.ino(), len: meta.len(), modified: meta.modified().ok() })
}

/// The variants of `job`, in the order of its widths: from the memo, from
/// the cache folder `cache`, or made (and then kept in both).
pub fn variants(job: &Job, quality: u8, cache: Option<&Path>, memo: &Memo) -> Result<Vec<Bytes>, Diagnostic> {
    let shown = |e: String| {
        Diagnostic::error(format!("cannot make the resized copies of {}: {e}", job.name))
            .at(Location::file(job.article))
            .hint("the article shows this image: save it again as a JPEG or PNG, or replace it")
    };
    let id = stamp(job.source).map_err(|e| shown(e.to_string()))?;
    let memo_key = (job.source.to_path_buf(), id);
    if memo.keep
        && let Some(kept) = memo.made.lock().unwrap_or_else(|e| e.into_inner()).get(&memo_key)
        && job.widths.iter().all(|w| kept.contains_key(w))
    {
        return Ok(job.widths.iter().map(|w| kept[w].clone()).collect());
    }
    let bytes = std::fs::read(job.source).map_err(|e| shown(e.to_string()))?;
    let hash = xxhash_rust::xxh3::xxh3_128(&bytes);
    let name = |width: u32| format!("{hash:032x}-{width}-q{quality}.webp");
    let mut found: Vec<Option<Bytes>> = job
        .widths
        .iter()
        .map(|&w| cache.and_then(|dir| std::fs::read(dir.join(name(w))).ok()).map(Bytes::from))
        .collect();
    if found.iter().any(Option::is_none) {
        let image = image::load_from_memory(&bytes).map_err(|e| shown(e.to_string()))?;
        for (slot, &width) in found.iter_mut().zip(&job.widths) {
            if slot.is_none() {
                let made = resize(&image, width, quality).map_err(&shown)?;
                if let Some(dir) = cache {
                    // A cache that cannot be written costs the next build time only.
                    let _ = keep(dir, &name(width), &made);
                }
                *slot = Some(Bytes::from(made));
            }
        }
    }
    let made: Vec<Bytes> = found.into_iter().map(|b| b.expect("found or made")).collect();
    if memo.keep {
        let mut kept = memo.made.lock().unwrap_or_else(|e| e.into_inner());
        kept.insert(memo_key, job.widths.iter().copied().zip(made.iter().cloned()).collect());
    }
    Ok(made)
}

/// libwebp's effort, 0 (fastest) to 6. Method 2 halves the time of the
/// default 4 (100 photos of 2400 px, three widths each: 16.8 s → 8.4 s on
/// 2 cores, `bench/images.sh`) for files as small (12.30 → 12.19 MB there);
/// 3 costs as much as 4.
const METHOD: i32 = 2;

/// `image` at `width` pixels wide (the height in proportion), as WebP.
fn resize(image: &image::DynamicImage, width: u32, quality: u8) -> Result<Vec<u8>, String> {
    use fast_image_resize::images::Image;
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    // WebP takes 8-bit RGB or RGBA: other layouts are converted first.
    let source = if image.color().has_alpha() {
        image::DynamicImage::ImageRgba8(image.to_rgba8())
    } else {
        image::DynamicImage::ImageRgb8(image.to_rgb8())
    };
    let height =
        ((u64::from(image.height()) * u64::from(width)).div_ceil(u64::from(image.width().max(1)))).max(1) as u32;
    let pixels = fast_image_resize::IntoImageView::pixel_type(&source).ok_or("unsupported pixel layout")?;
    let mut resized = Image::new(width, height, pixels);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new().resize(&source, &mut resized, &options).map_err(|e| e.to_string())?;
    let encoder = if source.color().has_alpha() {
        webp::Encoder::from_rgba(resized.buffer(), width, height)
    } else {
        webp::Encoder::from_rgb(resized.buffer(), width, height)
    };
    let mut config = webp::WebPConfig::new().map_err(|()| "cannot configure the WebP encoder")?;
    config.quality = f32::from(quality);
    config.method = METHOD;
    let encoded = encoder.encode_advanced(&config).map_err(|e| format!("{e:?}"))?;
    Ok(encoded.to_vec())
}

/// Removes what builds killed while writing to the cache folder `dir`
/// left of their files (one build writes an output and its cache at a
/// time, so no other build is writing them now).
pub fn sweep(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().ends_with(".partial") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Puts `bytes` in the cache folder `dir` as `name`, all or nothing: a
/// build killed mid-write must not leave a truncated image that later
/// builds would trust. Written beside its name, then renamed over it.
fn keep(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let partial = dir.join(format!("{name}.{}.partial", std::process::id()));
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, dir.join(name)).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG of `width` × `height` pixels, a gradient.
    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn variants_are_webp_at_their_width_and_cached() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("photo.png");
        std::fs::write(&source, png(1000, 500)).unwrap();
        let cache = dir.path().join("cache");
        let job = Job {
            source: &source,
            name: "content/world/photo.png",
            widths: vec![480, 960],
            article: "content/world/a.md",
        };
        let made = variants(&job, 80, Some(&cache), &Memo::default()).unwrap();
        for (bytes, width) in made.iter().zip([480, 960]) {
            assert_eq!(&bytes[..4], b"RIFF");
            assert_eq!(&bytes[8..12], b"WEBP");
            let decoded = imagesize::blob_size(bytes).unwrap();
            assert_eq!((decoded.width, decoded.height), (width, width / 2));
        }
        assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 2);
        // From the cache: the same bytes, even with the source unreadable as an image.
        for entry in std::fs::read_dir(&cache).unwrap() {
            let path = entry.unwrap().path();
            std::fs::write(&path, b"cached").unwrap();
        }
        let again = variants(&job, 80, Some(&cache), &Memo::default()).unwrap();
        assert!(again.iter().all(|b| &b[..] == b"cached"));
    }

    #[test]
    fn a_corrupt_image_names_the_file_and_the_article() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("broken.png");
        let mut bytes = png(800, 400);
        bytes.truncate(120);
        std::fs::write(&source, bytes).unwrap();
        let job =
            Job { source: &source, name: "content/world/broken.png", widths: vec![480], article: "content/world/a.md" };
        let problem = variants(&job, 80, None, &Memo::default()).unwrap_err();
        assert!(problem.message.starts_with("cannot make the resized copies of "), "{}", problem.message);
        assert!(problem.message.contains("broken.png"));
        assert_eq!(problem.location.unwrap().path, "content/world/a.md");
    }
}
