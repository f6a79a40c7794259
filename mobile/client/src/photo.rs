//! Photos taken on the phone: downscaled on the device before they are stored (long edge
//! ≤ 2048, so a day of evidence fits on a cheap phone and uploads over weak Wi-Fi), the
//! EXIF orientation applied, metadata (GPS) gone, and hashed for content addressing.
//!
//! The browser's own decoder does the work (`createImageBitmap` → `OffscreenCanvas` →
//! JPEG): it is the fastest correct way measured on these phones' engine, and it keeps
//! the wasm bundle small. Chromium applies the EXIF orientation itself; the pure
//! orientation reader and size rule here are for platforms that hand over raw pixels.

/// The long edge of a stored photo.
pub const MAX_EDGE: u32 = 2048;

/// How far into a JPEG the EXIF block is looked for.
const EXIF_WINDOW: usize = 128 * 1024;

fn u16_at(b: &[u8], at: usize, little: bool) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    let a = [s[0], s[1]];
    Some(if little {
        u16::from_le_bytes(a)
    } else {
        u16::from_be_bytes(a)
    })
}

fn u32_at(b: &[u8], at: usize, little: bool) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    let a = [s[0], s[1], s[2], s[3]];
    Some(if little {
        u32::from_le_bytes(a)
    } else {
        u32::from_be_bytes(a)
    })
}

/// The EXIF orientation (1–8) of a JPEG; 1 when there is none or it cannot be read.
pub fn exif_orientation(jpeg: &[u8]) -> u8 {
    orientation_in(&jpeg[..jpeg.len().min(EXIF_WINDOW)])
        .filter(|o| (1..=8).contains(o))
        .unwrap_or(1)
}

fn orientation_in(b: &[u8]) -> Option<u8> {
    if b.get(0..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut at = 2usize;
    loop {
        if *b.get(at)? != 0xFF {
            return None;
        }
        let marker = *b.get(at + 1)?;
        // Start of scan or end of image: no EXIF before the picture data.
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let len = usize::from(u16_at(b, at + 2, false)?);
        if len < 2 {
            return None;
        }
        let body = at + 4;
        if marker == 0xE1 && b.get(body..body + 6)? == b"Exif\0\0" {
            return tiff_orientation(b.get(body + 6..(at + 2 + len).min(b.len()))?);
        }
        at = at.checked_add(2 + len)?;
    }
}

fn tiff_orientation(t: &[u8]) -> Option<u8> {
    let little = match t.get(0..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let ifd = usize::try_from(u32_at(t, 4, little)?).ok()?;
    let count = usize::from(u16_at(t, ifd, little)?);
    for i in 0..count {
        let entry = ifd.checked_add(2)?.checked_add(i.checked_mul(12)?)?;
        if u16_at(t, entry, little)? == 0x0112 {
            let value = u16_at(t, entry + 8, little)?;
            return u8::try_from(value).ok();
        }
    }
    None
}

/// What the JPEG header says: the stored size (before orientation) and the EXIF
/// orientation. Read from the first bytes of the file only, so the size is known without
/// decoding the picture. `None` when the header is not a JPEG's or is cut before its size.
pub fn jpeg_info(jpeg: &[u8]) -> Option<(u32, u32, u8)> {
    let b = &jpeg[..jpeg.len().min(EXIF_WINDOW)];
    if b.get(0..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut at = 2usize;
    loop {
        // Fill bytes before a marker are allowed.
        while *b.get(at)? == 0xFF && *b.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *b.get(at)? != 0xFF {
            return None;
        }
        let marker = *b.get(at + 1)?;
        if marker == 0xD9 || marker == 0xDA {
            return None;
        }
        // Markers without a length.
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            at += 2;
            continue;
        }
        let len = usize::from(u16_at(b, at + 2, false)?);
        if len < 2 {
            return None;
        }
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let height = u32::from(u16_at(b, at + 5, false)?);
            let width = u32::from(u16_at(b, at + 7, false)?);
            if width == 0 || height == 0 {
                return None;
            }
            return Some((width, height, exif_orientation(jpeg)));
        }
        at = at.checked_add(2 + len)?;
    }
}

/// The size to store a `width × height` picture at (as decoded, before orientation): the
/// upright picture's size (swapped for orientations 5–8), scaled so the long edge is at
/// most `max_edge`, never enlarged, never zero.
pub fn target_size(width: u32, height: u32, orientation: u8, max_edge: u32) -> (u32, u32) {
    let (w, h) = if (5..=8).contains(&orientation) {
        (height, width)
    } else {
        (width, height)
    };
    let (w, h) = (w.max(1), h.max(1));
    let long = w.max(h);
    if long <= max_edge {
        return (w, h);
    }
    let scale = |v: u32| {
        let scaled = u64::from(v) * u64::from(max_edge) / u64::from(long);
        u32::try_from(scaled).unwrap_or(max_edge).max(1)
    };
    (scale(w), scale(h))
}

#[cfg(target_arch = "wasm32")]
pub use web::{
    PhotoError, PreparedPhoto, locate, mark_start, mark_stored, object_url, prepare, revoke,
};

#[cfg(target_arch = "wasm32")]
mod web {
    use flowwalk_shared::walkthrough::{GeoPoint, hex_sha256};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        Blob, File, ImageBitmap, ImageBitmapOptions, ImageEncodeOptions, ImageOrientation,
        OffscreenCanvas, OffscreenCanvasRenderingContext2d, ResizeQuality,
    };

    use super::{MAX_EDGE, target_size};

    /// The resize filter, chosen by measurement (`tests/browser/bench-photo.mjs` prints
    /// each filter's time and its fidelity on text against the best one).
    const RESIZE_QUALITY: ResizeQuality = ResizeQuality::High;

    /// Files larger than this are refused before decoding (no phone photo is this big).
    const MAX_FILE_BYTES: f64 = 40.0 * 1024.0 * 1024.0;

    pub struct PreparedPhoto {
        pub bytes: Vec<u8>,
        pub sha256: String,
        pub width: u32,
        pub height: u32,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub enum PhotoError {
        NotAnImage,
        TooLarge,
        Failed(String),
    }

    impl PhotoError {
        pub fn message(&self, english: bool) -> String {
            match (self, english) {
                (PhotoError::NotAnImage, false) => "无法读取这张照片,请重拍".into(),
                (PhotoError::NotAnImage, true) => "This photo cannot be read; take it again".into(),
                (PhotoError::TooLarge, false) => "照片文件过大".into(),
                (PhotoError::TooLarge, true) => "The photo file is too large".into(),
                (PhotoError::Failed(e), false) => format!("照片处理失败:{e}"),
                (PhotoError::Failed(e), true) => format!("Could not process the photo: {e}"),
            }
        }
    }

    fn failed(e: JsValue) -> PhotoError {
        PhotoError::Failed(e.as_string().unwrap_or_else(|| format!("{e:?}")))
    }

    async fn bytes_of(blob: &Blob) -> Result<Vec<u8>, PhotoError> {
        let buf = JsFuture::from(blob.array_buffer()).await.map_err(failed)?;
        Ok(js_sys::Uint8Array::new(&buf).to_vec())
    }

    async fn bitmap(
        file: &File,
        options: Option<&ImageBitmapOptions>,
    ) -> Result<ImageBitmap, PhotoError> {
        let window = web_sys::window().ok_or_else(|| PhotoError::Failed("no window".into()))?;
        let promise = match options {
            Some(o) => window.create_image_bitmap_with_blob_and_image_bitmap_options(file, o),
            None => window.create_image_bitmap_with_blob(file),
        }
        .map_err(|_| PhotoError::NotAnImage)?;
        JsFuture::from(promise)
            .await
            .map_err(|_| PhotoError::NotAnImage)?
            .dyn_into::<ImageBitmap>()
            .map_err(|_| PhotoError::NotAnImage)
    }

    /// How far into the file the header is read for the size and orientation.
    const HEADER_BYTES: f64 = 128.0 * 1024.0;

    /// The upright size of the picture in `file`: from the JPEG header when it has one
    /// (no decoding), else from a decode (other formats).
    async fn upright_size(file: &File) -> Result<(u32, u32), PhotoError> {
        let head = file
            .slice_with_f64_and_f64(0.0, HEADER_BYTES)
            .map_err(failed)?;
        if let Some((w, h, orientation)) = super::jpeg_info(&bytes_of(&head).await?) {
            // Chromium applies the EXIF orientation; the resize size is the upright one.
            return Ok(if (5..=8).contains(&orientation) {
                (h, w)
            } else {
                (w, h)
            });
        }
        let probe = bitmap(file, None).await?;
        let size = (probe.width(), probe.height());
        probe.close();
        Ok(size)
    }

    /// Downscales, orients and re-encodes a chosen photo, and hashes the result.
    pub async fn prepare(file: &File) -> Result<PreparedPhoto, PhotoError> {
        if file.size() > MAX_FILE_BYTES {
            return Err(PhotoError::TooLarge);
        }
        let (w, h) = upright_size(file).await?;
        if w == 0 || h == 0 {
            return Err(PhotoError::NotAnImage);
        }
        let (tw, th) = target_size(w, h, 1, MAX_EDGE);
        let options = ImageBitmapOptions::new();
        options.set_image_orientation(ImageOrientation::FromImage);
        options.set_resize_width(tw);
        options.set_resize_height(th);
        options.set_resize_quality(RESIZE_QUALITY);
        let bmp = bitmap(file, Some(&options)).await?;
        let (bw, bh) = (bmp.width(), bmp.height());

        let canvas = OffscreenCanvas::new(bw, bh).map_err(failed)?;
        let ctx = canvas
            .get_context("2d")
            .map_err(failed)?
            .ok_or_else(|| PhotoError::Failed("no 2d context".into()))?
            .dyn_into::<OffscreenCanvasRenderingContext2d>()
            .map_err(|_| PhotoError::Failed("no 2d context".into()))?;
        let drawn = ctx.draw_image_with_image_bitmap(&bmp, 0.0, 0.0);
        bmp.close();
        drawn.map_err(failed)?;
        let encode = ImageEncodeOptions::new();
        encode.set_type("image/jpeg");
        encode.set_quality(0.85);
        let blob: Blob = JsFuture::from(
            canvas
                .convert_to_blob_with_options(&encode)
                .map_err(failed)?,
        )
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)?;
        let bytes = bytes_of(&blob).await?;
        Ok(PreparedPhoto {
            sha256: sha256_hex(&bytes).await,
            bytes,
            width: bw,
            height: bh,
        })
    }

    /// The photo's SHA-256 in hex, by the browser's own (native) digest: several times
    /// faster than the same hash in wasm on a cheap phone. Where the page is not a secure
    /// context (`crypto.subtle` absent) the shared Rust function does it; both give the
    /// key the server checks the upload against.
    async fn sha256_hex(bytes: &[u8]) -> String {
        let digest = web_sys::window()
            .and_then(|w| w.crypto().ok())
            .and_then(|c| {
                c.subtle()
                    .digest_with_str_and_u8_array("SHA-256", bytes)
                    .ok()
            });
        if let Some(promise) = digest
            && let Ok(buf) = JsFuture::from(promise).await
        {
            let digest = js_sys::Uint8Array::new(&buf).to_vec();
            if digest.len() == 32 {
                return digest.iter().map(|b| format!("{b:02x}")).collect();
            }
        }
        hex_sha256(bytes)
    }

    /// One position fix, or `None` when refused, unavailable, or slower than `timeout_ms`.
    pub async fn locate(timeout_ms: u32) -> Option<GeoPoint> {
        let window = web_sys::window()?;
        let geo = window.navigator().geolocation().ok()?;
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            let ok_resolve = resolve.clone();
            let ok = wasm_bindgen::closure::Closure::once_into_js(move |pos: web_sys::Position| {
                let _ = ok_resolve.call1(&JsValue::NULL, &pos);
            });
            let err_resolve = resolve.clone();
            let err = wasm_bindgen::closure::Closure::once_into_js(move |_e: JsValue| {
                let _ = err_resolve.call1(&JsValue::NULL, &JsValue::NULL);
            });
            let options = web_sys::PositionOptions::new();
            options.set_enable_high_accuracy(false);
            options.set_maximum_age(60_000);
            options.set_timeout(timeout_ms);
            if geo
                .get_current_position_with_error_callback_and_options(
                    ok.unchecked_ref(),
                    Some(err.unchecked_ref()),
                    &options,
                )
                .is_err()
            {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
            }
            // Our own timer too: some browsers never call back when permission is ignored.
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(timeout_ms.saturating_add(500)).unwrap_or(i32::MAX),
            );
        });
        let value = JsFuture::from(promise).await.ok()?;
        if value.is_null() || value.is_undefined() {
            return None;
        }
        // Browsers name the class GeolocationPosition now; web-sys' stable binding knows
        // it as Position, so no instanceof check: the success callback is the only source.
        let pos: web_sys::Position = value.unchecked_into();
        let c = pos.coords();
        Some(GeoPoint {
            lat: c.latitude(),
            lon: c.longitude(),
            accuracy_m: Some(c.accuracy()),
        })
    }

    /// Marks the start of storing a photo (User Timing; the benchmark reads the measures).
    pub fn mark_start() -> Option<String> {
        let p = web_sys::window()?.performance()?;
        let name = format!("flowwalk:photo:{}", p.now());
        p.mark(&name).ok()?;
        Some(name)
    }

    /// Measures from `start` to now as `flowwalk:photo-stored`: the photo is stored and
    /// shown.
    pub fn mark_stored(start: Option<String>) {
        if let (Some(start), Some(p)) = (start, web_sys::window().and_then(|w| w.performance())) {
            let _ = p.measure_with_start_mark("flowwalk:photo-stored", &start);
        }
    }

    /// A `blob:` URL showing JPEG bytes (for the thumbnails on the form).
    pub fn object_url(bytes: &[u8]) -> Option<String> {
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
        let props = web_sys::BlobPropertyBag::new();
        props.set_type("image/jpeg");
        let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &props).ok()?;
        web_sys::Url::create_object_url_with_blob(&blob).ok()
    }

    pub fn revoke(url: &str) {
        if !url.is_empty() {
            let _ = web_sys::Url::revoke_object_url(url);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG header with an EXIF block holding `orientation`.
    fn jpeg_with(orientation: u16, little: bool) -> Vec<u8> {
        let mut tiff = Vec::new();
        let w16 = |v: u16| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let w32 = |v: u32| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        tiff.extend_from_slice(if little { b"II" } else { b"MM" });
        tiff.extend_from_slice(&w16(42));
        tiff.extend_from_slice(&w32(8));
        tiff.extend_from_slice(&w16(2));
        // An unrelated tag first, then orientation.
        for (tag, value) in [(0x010F_u16, 7_u16), (0x0112, orientation)] {
            tiff.extend_from_slice(&w16(tag));
            tiff.extend_from_slice(&w16(3));
            tiff.extend_from_slice(&w32(1));
            tiff.extend_from_slice(&w16(value));
            tiff.extend_from_slice(&[0, 0]);
        }
        tiff.extend_from_slice(&w32(0));
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0];
        out.extend_from_slice(&[0xFF, 0xE1]);
        let len = u16::try_from(2 + 6 + tiff.len()).unwrap();
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(b"Exif\0\0");
        out.extend_from_slice(&tiff);
        out.extend_from_slice(&[0xFF, 0xDA, 0, 2, 1, 2, 3]);
        out
    }

    #[test]
    fn reads_the_orientation_in_both_byte_orders() {
        for o in 1..=8 {
            assert_eq!(
                exif_orientation(&jpeg_with(o, true)),
                u8::try_from(o).unwrap()
            );
            assert_eq!(
                exif_orientation(&jpeg_with(o, false)),
                u8::try_from(o).unwrap()
            );
        }
        assert_eq!(exif_orientation(&jpeg_with(9, true)), 1);
        assert_eq!(exif_orientation(b"not a jpeg"), 1);
        assert_eq!(exif_orientation(&[]), 1);
    }

    #[test]
    fn never_panics_on_truncated_or_garbled_headers() {
        let good = jpeg_with(6, false);
        for cut in 0..good.len() {
            let o = exif_orientation(&good[..cut]);
            assert!((1..=8).contains(&o));
        }
        let mut x: u32 = 12345;
        for _ in 0..2000 {
            let mut b = good.clone();
            for _ in 0..4 {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let i = (x as usize) % b.len();
                b[i] = (x >> 16) as u8;
            }
            let o = exif_orientation(&b);
            assert!((1..=8).contains(&o));
        }
    }

    /// `jpeg_with` plus a baseline frame header of `w × h` before the scan.
    fn jpeg_sized(w: u16, h: u16, orientation: u16) -> Vec<u8> {
        let mut b = jpeg_with(orientation, true);
        let sos = b.len() - 7;
        let mut sof = vec![0xFF, 0xC0, 0, 17, 8];
        sof.extend_from_slice(&h.to_be_bytes());
        sof.extend_from_slice(&w.to_be_bytes());
        sof.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        // A quantisation table segment first, as real files have.
        let mut dqt = vec![0xFF, 0xDB, 0, 67, 0];
        dqt.extend_from_slice(&[1; 64]);
        b.splice(sos..sos, dqt.into_iter().chain(sof));
        b
    }

    #[test]
    fn reads_the_size_from_the_header_without_decoding() {
        assert_eq!(jpeg_info(&jpeg_sized(4032, 3024, 1)), Some((4032, 3024, 1)));
        assert_eq!(jpeg_info(&jpeg_sized(4032, 3024, 6)), Some((4032, 3024, 6)));
        // A progressive frame (SOF2) counts too; DHT (C4) is not a frame.
        let mut p = jpeg_sized(800, 600, 1);
        let at = p.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        p[at + 1] = 0xC2;
        assert_eq!(jpeg_info(&p), Some((800, 600, 1)));
        assert_eq!(jpeg_info(&jpeg_with(1, true)), None, "no frame header");
        assert_eq!(jpeg_info(b"\x89PNG"), None);
        let good = jpeg_sized(4032, 3024, 6);
        for cut in 0..good.len() {
            let _ = jpeg_info(&good[..cut]);
        }
    }

    #[test]
    fn target_sizes_are_upright_bounded_and_never_enlarged() {
        assert_eq!(target_size(4000, 3000, 1, 2048), (2048, 1536));
        // Stored sideways, shown upright: the long edge is the height.
        assert_eq!(target_size(4000, 3000, 6, 2048), (1536, 2048));
        assert_eq!(target_size(800, 600, 8, 2048), (600, 800));
        assert_eq!(target_size(100_000, 1, 1, 2048), (2048, 1));
        assert_eq!(target_size(0, 0, 1, 2048), (1, 1));
    }
}
