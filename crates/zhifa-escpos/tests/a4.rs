//! A4 raster jobs for 216 mm thermal printers: a real document (zhifa-docgen, typst-render at
//! 203 dpi) thresholded to 1 bit, read back by the independent Rust decoder: every band is
//! 1728 dots wide and the bands of a page add up to the A4 height (297 mm at 203 dpi = 2374 rows).

mod common;

use common::decoder::{Printed, decode};
use zhifa_docgen::{FontConfig, Renderer, sample};
use zhifa_escpos::{Bitmap, Dither, Profile, encode_pages};

#[test]
fn a4_raster_job_has_printer_width_and_page_height() {
    let renderer = Renderer::new(&FontConfig::from_env())
        .unwrap_or_else(|e| panic!("{e} [{}]（Debian 软件包：fonts-noto-cjk）", e.code()));
    let doc = sample::by_type("行政处罚决定书（单位）", 1).unwrap();
    let pages = renderer.render_gray(&doc, 203.0).unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!((pages[0].width, pages[0].height), (1678, 2374), "A4 at 203 dpi");
    let profile = Profile::a4();
    let bitmaps: Vec<Bitmap> = pages
        .iter()
        .map(|p| Bitmap::from_gray(&p.pixels, p.width, p.height, profile.dots_per_line, Dither::Threshold).unwrap())
        .collect();
    let job = encode_pages(&bitmaps, &profile).unwrap();
    let printed = decode(&job);
    let bands: Vec<(usize, usize, usize)> = printed
        .iter()
        .filter_map(|p| match p {
            Printed::Image { width, height, black } => Some((*width, *height, *black)),
            _ => None,
        })
        .collect();
    assert!(bands.iter().all(|(w, h, _)| *w == 1728 && *h <= 255), "{bands:?}");
    assert_eq!(bands.iter().map(|b| b.1).sum::<usize>(), 2374);
    assert_eq!(bands.len(), 2374_usize.div_ceil(255));
    // Ink: text is there (a few per cent of the page), but the page is not flooded.
    let black: usize = bands.iter().map(|b| b.2).sum();
    let ratio = black as f64 / (1728.0 * 2374.0);
    assert!((0.005..0.15).contains(&ratio), "black ratio {ratio}");
    assert_eq!(printed.last(), Some(&Printed::Cut));
    // The white margins of the centred page: columns 0..25 carry no ink.
    assert!((0..2374u16).all(|y| (0..25u16).all(|x| !bitmaps[0].get(x, y))));
}
