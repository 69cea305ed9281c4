//! Images that fit every screen (issue 13): local JPEG and PNG images get
//! resized WebP variants offered with srcset, never upscaled, made once and
//! kept in a cache by content hash and width.

use std::fs;

use crate::support::{Site, picture};

fn site_with_images() -> Site {
    let site = Site::new(&[]);
    fs::create_dir_all(site.root().join("content/world")).unwrap();
    fs::write(site.root().join("content/world/crane.png"), picture(1000, 500, image::ImageFormat::Png)).unwrap();
    fs::write(site.root().join("content/world/quay.jpg"), picture(2000, 1000, image::ImageFormat::Jpeg)).unwrap();
    fs::write(site.root().join("content/world/icon.png"), picture(300, 300, image::ImageFormat::Png)).unwrap();
    site.write(
        "content/world/2025-03-04-cranes.md",
        "+++\ntitle = \"New Cranes\"\ndescription = \"Two cranes arrive.\"\n\
         image = { src = \"crane.png\", alt = \"A crane against the sky\" }\n+++\n\n\
         ![The quay at noon](quay.jpg)\n\n![A small icon](icon.png)\n",
    );
    site
}

fn webp_width(bytes: &[u8]) -> u32 {
    assert_eq!((&bytes[..4], &bytes[8..12]), (&b"RIFF"[..], &b"WEBP"[..]));
    imagesize::blob_size(bytes).unwrap().width as u32
}

#[test]
fn local_images_get_webp_variants_and_a_srcset() {
    let site = site_with_images();
    site.run(&["build"]).success();
    let html = site.read("public/world/cranes/index.html");
    let base = "https://gazette.test/world/cranes";
    assert!(
        html.contains(&format!(
            "<img src=\"{base}/crane.png\" alt=\"A crane against the sky\" srcset=\"{base}/crane-480.webp 480w, \
         {base}/crane-960.webp 960w, {base}/crane.png 1000w\" sizes=\"(min-width: 38rem) 36rem, 100vw\" \
         width=\"1000\" height=\"500\">"
        )),
        "{html}"
    );
    assert!(html.contains(&format!(
        "<img src=\"{base}/quay.jpg\" alt=\"The quay at noon\" srcset=\"{base}/quay-480.webp 480w, \
         {base}/quay-960.webp 960w, {base}/quay-1600.webp 1600w, {base}/quay.jpg 2000w\" \
         sizes=\"(min-width: 38rem) 36rem, 100vw\" width=\"2000\" height=\"1000\" loading=\"lazy\">"
    )));
    // Narrower than every width: no variant, no srcset.
    assert!(html.contains(&format!(
        "<img src=\"{base}/icon.png\" alt=\"A small icon\" width=\"300\" height=\"300\" loading=\"lazy\">"
    )));
    for (file, width) in [("crane-480.webp", 480), ("crane-960.webp", 960), ("quay-1600.webp", 1600)] {
        let bytes = fs::read(site.root().join("public/world/cranes").join(file)).unwrap();
        assert_eq!(webp_width(&bytes), width, "{file}");
    }
    // Never upscaled.
    assert!(!site.root().join("public/world/cranes/crane-1600.webp").exists());
    assert!(!site.root().join("public/world/cranes/icon-480.webp").exists());
}

#[test]
fn variants_come_from_the_cache_until_the_image_changes() {
    let site = site_with_images();
    site.run(&["build"]).success();
    let cache = site.root().join(".public.broadsheet-cache/images");
    let cached: Vec<_> = fs::read_dir(&cache).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(cached.len(), 5, "two of the png, three of the jpeg");
    // Marked in the cache: the next build takes them as they are.
    for path in &cached {
        fs::write(path, b"from the cache").unwrap();
    }
    site.run(&["build"]).success();
    assert_eq!(fs::read(site.root().join("public/world/cranes/crane-480.webp")).unwrap(), b"from the cache");
    // Other pixels: other content, made again.
    fs::write(site.root().join("content/world/crane.png"), picture(1000, 400, image::ImageFormat::Png)).unwrap();
    site.run(&["build"]).success();
    assert_eq!(webp_width(&fs::read(site.root().join("public/world/cranes/crane-480.webp")).unwrap()), 480);
}

#[test]
fn a_corrupt_image_is_an_error_naming_it_and_its_article() {
    let site = site_with_images();
    let mut broken = picture(2000, 1000, image::ImageFormat::Jpeg);
    broken.truncate(600);
    fs::write(site.root().join("content/world/quay.jpg"), broken).unwrap();
    let output = site.run(&["build"]);
    assert_eq!(output.code, 1);
    assert!(
        output.stderr.starts_with("error: cannot make the resized copies of content/world/quay.jpg: "),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains(
        " --> content/world/2025-03-04-cranes.md\n  = help: the article shows this image: save it again as a JPEG or PNG, or replace it\n"
    ));
    assert!(!site.root().join("public").exists(), "nothing published");
}

#[test]
fn widths_come_from_config() {
    let site = site_with_images();
    site.write("config.toml", &format!("{}\n[images]\nwidths = [600]\nquality = 60\n", site.read("config.toml")));
    site.run(&["build"]).success();
    let html = site.read("public/world/cranes/index.html");
    assert!(html.contains("crane-600.webp 600w, https://gazette.test/world/cranes/crane.png 1000w\""));
    assert!(!site.root().join("public/world/cranes/crane-480.webp").exists());
    site.write("config.toml", &site.read("config.toml").replace("widths = [600]", "widths = []"));
    site.run(&["build"]).success();
    assert!(!site.read("public/world/cranes/index.html").contains("srcset"));
}
