//! Writes a site of N articles, each with a photo-sized JPEG (2400 × 1600,
//! textured like a photograph, so that it compresses like one) as its
//! featured image: the corpus of `bench/images.sh`, which times making
//! their resized WebP variants cold and from the cache.
//!
//! ```sh
//! cargo run --release --example photos -- 100 /tmp/photos-site
//! ```

use std::fs;
use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|n| n.parse().ok()).expect("usage: photos N SITE_DIR");
    let root = PathBuf::from(args.next().expect("usage: photos N SITE_DIR"));
    let _ = fs::remove_dir_all(&root);
    let folder = root.join("content/photos");
    fs::create_dir_all(&folder).unwrap();
    fs::write(
        root.join("config.toml"),
        "title = \"Photo Desk\"\nbase_url = \"https://photos.example.com\"\nsearch = false\n\n\
         [categories.photos]\nname = \"Photos\"\n",
    )
    .unwrap();
    // A fixed sequence (a linear congruential generator): the same photos on every run.
    let mut seed: u32 = 0x1234_5678;
    let mut next = move || {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        seed >> 8
    };
    for n in 0..count {
        let (tint, horizon) = (next() % 60, 500 + next() % 600);
        let image = image::RgbImage::from_fn(2400, 1600, |x, y| {
            // Sky and sea in two gradients, with grain a camera would add.
            let grain = (next() % 24) as i32 - 12;
            let (r, g, b) = if y < horizon {
                (180 + (y * 60 / horizon) as i32, 160 + tint as i32, 220 - (x / 40) as i32)
            } else {
                (30 + tint as i32, 70 + ((y - horizon) / 20) as i32, 110 + (x / 60) as i32)
            };
            let clamp = |v: i32| (v + grain).clamp(0, 255) as u8;
            image::Rgb([clamp(r), clamp(g), clamp(b)])
        });
        let name = format!("photo-{n:03}.jpg");
        image.save(folder.join(&name)).unwrap();
        fs::write(
            folder.join(format!("2025-01-{:02}-photo-{n:03}.md", 1 + n % 28)),
            format!(
                "+++\ntitle = \"Photo {n}\"\ndescription = \"Photo number {n}.\"\n\
                 image = {{ src = \"{name}\", alt = \"A harbour at dusk, view {n}\" }}\n+++\n\nPhoto {n}.\n"
            ),
        )
        .unwrap();
    }
    println!("wrote {count} photos to {}", root.display());
}
