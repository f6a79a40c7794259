//! Exists because uploaded photos are untrusted and carry GPS/EXIF: this turns them into metadata-free display and thumbnail JPEGs, quickly and safely.
//!
//! Observers upload photos straight from cheap phones: 12-megapixel JPEGs full of EXIF
//! (GPS position, device serials) that must never be served back. This module re-encodes
//! pixels only, so nothing of the original file's metadata survives, and it is the one
//! place that parses untrusted image bytes, so it:
//!
//! - sniffs the format from magic bytes (JPEG, PNG, WebP; anything else is `NotAnImage`);
//! - reads dimensions from the header and refuses decompression bombs *before* decoding;
//! - never panics on bad input (errors are values; a decoder bug that panics anyway is
//!   caught and reported as `Corrupt` when the build unwinds on panic);
//! - is synchronous and CPU-bound: callers run it on a bounded blocking pool, because one
//!   full-size decode can take tens of MB and tens of ms.
//!
//! Speed (see `shared/notes/photo-pipeline.md`): JPEGs are decoded with `jpeg-decoder` at
//! the smallest DCT scale (1/8, 1/4, 1/2 or 1) whose long edge is still at least the
//! display size, resized with `fast_image_resize` (Lanczos3, SIMD picked at run time) and
//! encoded with `jpeg-encoder` (4:2:0). EXIF orientation is applied to the small image,
//! after resizing. No rayon: the caller decides how many photos run at once. (Even without
//! rayon, jpeg-decoder runs the IDCT of each colour component on a short-lived thread of
//! its own for images wider than 128 px, so one JPEG decode uses about 1.2 cores.)

use std::io::Cursor;

use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer, images::Image};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};
use jpeg_decoder::{CodingProcess, PixelFormat};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
use sha2::{Digest, Sha256};

/// Long edge of the display variant (never upscaled).
const DISPLAY_LONG_EDGE: u32 = 1600;
/// Long edge of the thumbnail variant, made from the display pixels.
const THUMB_LONG_EDGE: u32 = 320;
/// JPEG quality of the display variant.
const DISPLAY_QUALITY: u8 = 82;
/// JPEG quality of the thumbnail variant.
const THUMB_QUALITY: u8 = 75;

/// What an upload may cost us. Every check happens before the pixels are decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest upload, in bytes.
    pub max_bytes: usize,
    /// Widest image accepted, in pixels (as stored, before orientation).
    pub max_width: u32,
    /// Tallest image accepted, in pixels (as stored, before orientation).
    pub max_height: u32,
    /// Most pixels accepted (width × height).
    pub max_pixels: u64,
    /// Most memory a decoder may allocate for one image, in bytes.
    pub max_alloc: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 25 * 1024 * 1024,
            max_width: 12_000,
            max_height: 12_000,
            max_pixels: 60_000_000,
            max_alloc: 512 * 1024 * 1024,
        }
    }
}

/// Why an upload was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoError {
    /// More bytes than `Limits::max_bytes`.
    TooLarge,
    /// Not a format we accept (text, PDF, GIF, HEIC, …) or a JPEG feature we do not decode.
    NotAnImage,
    /// Truncated or undecodable data of a supported format.
    Corrupt,
    /// Dimensions over the limits (decompression bombs), detected from the header.
    TooManyPixels,
}

impl std::fmt::Display for PhotoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PhotoError::TooLarge => "the photo file is too large",
            PhotoError::NotAnImage => "the file is not a JPEG, PNG or WebP image",
            PhotoError::Corrupt => "the photo is truncated or corrupt",
            PhotoError::TooManyPixels => "the photo has too many pixels",
        })
    }
}

impl std::error::Error for PhotoError {}

/// The re-encoded variants of one photo.
#[derive(Debug, Clone)]
pub struct Variants {
    /// Width of the original, after orientation is applied.
    pub width: u32,
    /// Height of the original, after orientation is applied.
    pub height: u32,
    /// JPEG, long edge <= 1600 (never upscaled), q82, 4:2:0, no metadata.
    pub display: Vec<u8>,
    /// JPEG, long edge <= 320, made from the display pixels, q75, no metadata.
    pub thumb: Vec<u8>,
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Decodes `bytes` (JPEG, PNG or WebP), applies EXIF orientation and re-encodes the display
/// and thumbnail variants. CPU-bound: call it from a blocking thread.
pub fn make_variants(bytes: &[u8], limits: &Limits) -> Result<Variants, PhotoError> {
    if bytes.len() > limits.max_bytes {
        return Err(PhotoError::TooLarge);
    }
    // Every decoder error is a value; this only guards against a decoder bug that panics.
    std::panic::catch_unwind(|| make_variants_inner(bytes, limits))
        .unwrap_or(Err(PhotoError::Corrupt))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Jpeg,
    Png,
    WebP,
}

fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(Format::WebP)
    } else {
        None
    }
}

/// Decoded pixels, 8 bits per sample, 1 (gray) or 3 (RGB) channels, as stored (not oriented).
struct Pixels {
    data: Vec<u8>,
    width: u32,
    height: u32,
    channels: usize,
}

fn make_variants_inner(bytes: &[u8], limits: &Limits) -> Result<Variants, PhotoError> {
    let (pixels, full_w, full_h, orientation) = match sniff(bytes) {
        Some(Format::Jpeg) => decode_jpeg(bytes, limits)?,
        Some(Format::Png) => decode_with_image(bytes, ImageFormat::Png, limits)?,
        Some(Format::WebP) => decode_with_image(bytes, ImageFormat::WebP, limits)?,
        None => return Err(PhotoError::NotAnImage),
    };
    let swaps = orientation >= 5;

    // Display size computed from the full-size dimensions, so DCT scaling never changes
    // the aspect ratio; orientation does not change the long edge.
    let (dw, dh) = fit(full_w, full_h, DISPLAY_LONG_EDGE);
    let mut resizer = Resizer::new();
    let display = resize(&mut resizer, pixels, dw, dh)?;
    let display = orient(display, orientation)?;
    let display_jpeg = encode(&display, DISPLAY_QUALITY)?;

    let (tw, th) = fit(display.width, display.height, THUMB_LONG_EDGE);
    let thumb = resize(&mut resizer, display, tw, th)?;
    let thumb_jpeg = encode(&thumb, THUMB_QUALITY)?;

    let (width, height) = if swaps {
        (full_h, full_w)
    } else {
        (full_w, full_h)
    };
    Ok(Variants {
        width,
        height,
        display: display_jpeg,
        thumb: thumb_jpeg,
    })
}

fn check_dimensions(width: u32, height: u32, limits: &Limits) -> Result<(), PhotoError> {
    if width == 0 || height == 0 {
        return Err(PhotoError::Corrupt);
    }
    if width > limits.max_width
        || height > limits.max_height
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(PhotoError::TooManyPixels);
    }
    Ok(())
}

fn jpeg_error(error: jpeg_decoder::Error) -> PhotoError {
    match error {
        // Arithmetic coding, hierarchical, 12-bit, …: valid JPEGs we do not decode.
        jpeg_decoder::Error::Unsupported(_) => PhotoError::NotAnImage,
        _ => PhotoError::Corrupt,
    }
}

/// Returns the pixels at the chosen DCT scale, the full-size dimensions and the EXIF
/// orientation (1–8).
fn decode_jpeg(bytes: &[u8], limits: &Limits) -> Result<(Pixels, u32, u32, u8), PhotoError> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().map_err(jpeg_error)?;
    let info = decoder.info().ok_or(PhotoError::Corrupt)?;
    let (full_w, full_h) = (u32::from(info.width), u32::from(info.height));
    check_dimensions(full_w, full_h, limits)?;

    let components: u64 = match info.pixel_format {
        PixelFormat::L8 => 1,
        PixelFormat::RGB24 => 3,
        PixelFormat::CMYK32 => 4,
        // 16-bit lossless JPEG (medical/scientific): not a phone photo.
        PixelFormat::L16 => return Err(PhotoError::NotAnImage),
    };
    // Smallest DCT scale whose long edge is still >= the display size (the decoder picks
    // the smallest scale where either edge reaches the request, i.e. the long edge).
    let target = u16::try_from(DISPLAY_LONG_EDGE).unwrap_or(u16::MAX);
    let (sw, sh) = decoder.scale(target, target).map_err(jpeg_error)?;

    // Memory: the component planes and the output at the chosen scale, plus, for a
    // progressive JPEG, every DCT coefficient (2 bytes per sample, full size) until the end.
    let full = u64::from(full_w) * u64::from(full_h);
    let scaled = u64::from(sw) * u64::from(sh);
    let coefficients = if info.coding_process == CodingProcess::DctProgressive {
        full * components * 2
    } else {
        0
    };
    if coefficients + 2 * scaled * components > limits.max_alloc {
        return Err(PhotoError::TooManyPixels);
    }
    decoder.set_max_decoding_buffer_size(usize::try_from(limits.max_alloc).unwrap_or(usize::MAX));
    let data = decoder.decode().map_err(jpeg_error)?;
    let (sw, sh) = (u32::from(sw), u32::from(sh));

    let orientation = decoder
        .exif_data()
        .and_then(Orientation::from_exif_chunk)
        .map_or(1, Orientation::to_exif);

    let samples = sw as usize * sh as usize;
    let (data, channels) = match info.pixel_format {
        PixelFormat::L8 => (data, 1),
        PixelFormat::RGB24 => (data, 3),
        PixelFormat::CMYK32 => (cmyk_to_rgb(data), 3),
        PixelFormat::L16 => return Err(PhotoError::NotAnImage),
    };
    if data.len() < samples * channels {
        return Err(PhotoError::Corrupt);
    }
    let pixels = Pixels {
        data,
        width: sw,
        height: sh,
        channels,
    };
    Ok((pixels, full_w, full_h, orientation))
}

/// jpeg-decoder returns CMYK with 0 = no ink (Adobe inversion already undone).
fn cmyk_to_rgb(mut data: Vec<u8>) -> Vec<u8> {
    let count = data.len() / 4;
    for i in 0..count {
        let p = i * 4;
        let (c, m, y, k) = (
            u16::from(data[p]),
            u16::from(data[p + 1]),
            u16::from(data[p + 2]),
            u16::from(data[p + 3]),
        );
        let kk = 255 - k;
        let q = i * 3; // q <= p, so writing in place never overtakes unread input
        data[q] = ((255 - c) * kk / 255) as u8;
        data[q + 1] = ((255 - m) * kk / 255) as u8;
        data[q + 2] = ((255 - y) * kk / 255) as u8;
    }
    data.truncate(count * 3);
    data
}

fn image_error(error: ImageError) -> PhotoError {
    match error {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        ImageError::Unsupported(_) => PhotoError::NotAnImage,
        _ => PhotoError::Corrupt,
    }
}

fn decode_with_image(
    bytes: &[u8],
    format: ImageFormat,
    limits: &Limits,
) -> Result<(Pixels, u32, u32, u8), PhotoError> {
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(limits.max_width);
    image_limits.max_image_height = Some(limits.max_height);
    image_limits.max_alloc = Some(limits.max_alloc);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(image_limits);
    // Reads the header only; the width/height limits are enforced here.
    let mut decoder = reader.into_decoder().map_err(image_error)?;
    let (w, h) = decoder.dimensions();
    check_dimensions(w, h, limits)?;
    if decoder.total_bytes() > limits.max_alloc {
        return Err(PhotoError::TooManyPixels);
    }
    let orientation = decoder.orientation().map_or(1, Orientation::to_exif);
    let image = DynamicImage::from_decoder(decoder).map_err(image_error)?;
    let color = image.color();
    let (data, channels) = if color.has_alpha() {
        (flatten_on_white(image.into_rgba8().into_raw()), 3)
    } else if color.channel_count() == 1 {
        (image.into_luma8().into_raw(), 1)
    } else {
        (image.into_rgb8().into_raw(), 3)
    };
    if data.len() < w as usize * h as usize * channels {
        return Err(PhotoError::Corrupt);
    }
    let pixels = Pixels {
        data,
        width: w,
        height: h,
        channels,
    };
    Ok((pixels, w, h, orientation))
}

/// RGBA → RGB over a white background (a JPEG has no alpha; transparent pixels often
/// carry black RGB, which would otherwise show).
fn flatten_on_white(mut data: Vec<u8>) -> Vec<u8> {
    let count = data.len() / 4;
    for i in 0..count {
        let p = i * 4;
        let a = u32::from(data[p + 3]);
        let q = i * 3;
        for c in 0..3 {
            let v = u32::from(data[p + c]);
            data[q + c] = ((v * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    data.truncate(count * 3);
    data
}

/// Largest size with the same aspect ratio whose long edge is <= `long_edge`; never larger
/// than the input.
fn fit(width: u32, height: u32, long_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= long_edge {
        return (width, height);
    }
    let scale = |v: u32| -> u32 {
        let scaled = (u64::from(v) * u64::from(long_edge) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled)
            .unwrap_or(long_edge)
            .clamp(1, long_edge)
    };
    if width >= height {
        (long_edge, scale(height))
    } else {
        (scale(width), long_edge)
    }
}

fn pixel_type(channels: usize) -> Result<PixelType, PhotoError> {
    match channels {
        1 => Ok(PixelType::U8),
        3 => Ok(PixelType::U8x3),
        _ => Err(PhotoError::Corrupt),
    }
}

fn resize(
    resizer: &mut Resizer,
    src: Pixels,
    width: u32,
    height: u32,
) -> Result<Pixels, PhotoError> {
    if src.width == width && src.height == height {
        return Ok(src);
    }
    let kind = pixel_type(src.channels)?;
    let channels = src.channels;
    let src_image = Image::from_vec_u8(src.width, src.height, src.data, kind)
        .map_err(|_| PhotoError::Corrupt)?;
    let mut dst_image = Image::new(width, height, kind);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    resizer
        .resize(&src_image, &mut dst_image, &options)
        .map_err(|_| PhotoError::Corrupt)?;
    Ok(Pixels {
        data: dst_image.into_vec(),
        width,
        height,
        channels,
    })
}

/// Applies an EXIF orientation (1–8) to the pixels.
fn orient(src: Pixels, orientation: u8) -> Result<Pixels, PhotoError> {
    if !(2..=8).contains(&orientation) {
        return Ok(src);
    }
    let (w, h) = (src.width as usize, src.height as usize);
    let data = match src.channels {
        1 => orient_typed::<1>(&src.data, w, h, orientation),
        3 => orient_typed::<3>(&src.data, w, h, orientation),
        _ => return Err(PhotoError::Corrupt),
    }
    .ok_or(PhotoError::Corrupt)?;
    let (width, height) = if orientation >= 5 {
        (src.height, src.width)
    } else {
        (src.width, src.height)
    };
    Ok(Pixels {
        data,
        width,
        height,
        channels: src.channels,
    })
}

fn orient_typed<const C: usize>(
    data: &[u8],
    w: usize,
    h: usize,
    orientation: u8,
) -> Option<Vec<u8>> {
    let (src, _) = data.as_chunks::<C>();
    let src = src.get(..w * h)?;
    let dw = if orientation >= 5 { h } else { w };
    let mut out = vec![0u8; w * h * C];
    let (dst, _) = out.as_chunks_mut::<C>();
    for (dy, row) in dst.chunks_exact_mut(dw).enumerate() {
        for (dx, px) in row.iter_mut().enumerate() {
            // Source pixel of destination (dx, dy), by inverting each EXIF transform.
            let (sx, sy) = match orientation {
                2 => (w - 1 - dx, dy),
                3 => (w - 1 - dx, h - 1 - dy),
                4 => (dx, h - 1 - dy),
                5 => (dy, dx),
                6 => (dy, h - 1 - dx),
                7 => (w - 1 - dy, h - 1 - dx),
                _ => (w - 1 - dy, dx),
            };
            *px = *src.get(sy * w + sx)?;
        }
    }
    Some(out)
}

fn encode(pixels: &Pixels, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let width = u16::try_from(pixels.width).map_err(|_| PhotoError::Corrupt)?;
    let height = u16::try_from(pixels.height).map_err(|_| PhotoError::Corrupt)?;
    let color = match pixels.channels {
        1 => ColorType::Luma,
        3 => ColorType::Rgb,
        _ => return Err(PhotoError::Corrupt),
    };
    let mut out = Vec::with_capacity(pixels.data.len() / 8);
    let mut encoder = Encoder::new(&mut out, quality);
    encoder.set_sampling_factor(SamplingFactor::R_4_2_0);
    encoder
        .encode(&pixels.data, width, height, color)
        .map_err(|_| PhotoError::Corrupt)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageEncoder;
    use std::time::{Duration, Instant};

    // ---- images made in code ----------------------------------------------------------

    /// A gradient with a pure red block in the top-left quarter (to see where it ends up).
    fn marked_rgb(w: u32, h: u32) -> Vec<u8> {
        let (w, h) = (w as usize, h as usize);
        let mut data = vec![0u8; w * h * 3];
        for (y, row) in data.chunks_exact_mut(w * 3).enumerate() {
            for (x, px) in row.chunks_exact_mut(3).enumerate() {
                let p = if x < w / 4 && y < h / 4 {
                    [230, 20, 20]
                } else {
                    let g = (40 + x * 150 / w + y * 50 / h) as u8;
                    [g / 2, g, g]
                };
                px.copy_from_slice(&p);
            }
        }
        data
    }

    fn jpeg_of(data: &[u8], w: u32, h: u32, color: ColorType, quality: u8) -> Vec<u8> {
        let mut out = Vec::new();
        let encoder = Encoder::new(&mut out, quality);
        encoder
            .encode(data, w as u16, h as u16, color)
            .expect("test JPEG encodes");
        out
    }

    /// Inserts raw segments (marker, payload) right after SOI, where cameras put them.
    fn with_segments(jpeg: &[u8], segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
        let mut out = jpeg[..2].to_vec();
        for (marker, payload) in segments {
            let len = u16::try_from(payload.len() + 2).expect("segment fits");
            out.extend_from_slice(&[0xFF, *marker]);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(payload);
        }
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    const GPS_LATITUDE: [(u32, u32); 3] = [(39, 1), (54, 1), (2_697_531, 100_000)];
    const GPS_LONGITUDE: [(u32, u32); 3] = [(116, 1), (23, 1), (4_412_345, 100_000)];

    /// The 24 bytes of the GPS latitude as they appear in the EXIF (to search for).
    fn gps_bytes(big_endian: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for (n, d) in GPS_LATITUDE {
            for v in [n, d] {
                out.extend_from_slice(&if big_endian {
                    v.to_be_bytes()
                } else {
                    v.to_le_bytes()
                });
            }
        }
        out
    }

    enum Value {
        Ascii(&'static str),
        Short(u16),
        Long(u32),
        Rationals(Vec<(u32, u32)>),
        Ifd(usize),
        Blob(Vec<u8>),
    }

    /// A phone-like EXIF payload ("Exif\0\0" + TIFF): IFD0 (make, model, orientation,
    /// pointers to the Exif and GPS IFDs) → IFD1 (an embedded JPEG thumbnail), an Exif
    /// sub-IFD and a GPS IFD.
    fn exif_payload(orientation: u16, big_endian: bool) -> Vec<u8> {
        let thumb = jpeg_of(&marked_rgb(160, 120), 160, 120, ColorType::Rgb, 80);
        let thumb_len = thumb.len() as u32;
        let ifds: Vec<Vec<(u16, Value)>> = vec![
            vec![
                (0x010F, Value::Ascii("FlowPhone")),
                (0x0110, Value::Ascii("FP-1 Pro")),
                (0x0112, Value::Short(orientation)),
                (0x8769, Value::Ifd(2)),
                (0x8825, Value::Ifd(3)),
            ],
            vec![
                (0x0103, Value::Short(6)),
                (0x0201, Value::Blob(thumb)),
                (0x0202, Value::Long(thumb_len)),
            ],
            vec![(0x9003, Value::Ascii("2025:03:14 09:26:53"))],
            vec![
                (0x0001, Value::Ascii("N")),
                (0x0002, Value::Rationals(GPS_LATITUDE.to_vec())),
                (0x0003, Value::Ascii("E")),
                (0x0004, Value::Rationals(GPS_LONGITUDE.to_vec())),
            ],
        ];
        let u16b = |v: u16| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let u32b = |v: u32| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let data_len = |v: &Value| match v {
            Value::Ascii(s) if s.len() + 1 > 4 => s.len() + 1,
            Value::Rationals(r) => r.len() * 8,
            Value::Blob(b) => b.len(),
            _ => 0,
        };
        // Layout: header, then each IFD followed by its out-of-line data.
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
        let mut tiff = Vec::new();
        tiff.extend_from_slice(if big_endian { b"MM\0\x2A" } else { b"II\x2A\0" });
        tiff.extend_from_slice(&u32b(8));
        for (i, ifd) in ifds.iter().enumerate() {
            let mut data_at = offsets[i] + 2 + 12 * ifd.len() + 4;
            let mut data = Vec::new();
            tiff.extend_from_slice(&u16b(ifd.len() as u16));
            for (tag, value) in ifd {
                tiff.extend_from_slice(&u16b(*tag));
                let (kind, count, inline): (u16, u32, [u8; 4]) = match value {
                    Value::Ascii(s) => {
                        let mut bytes = s.as_bytes().to_vec();
                        bytes.push(0);
                        if bytes.len() <= 4 {
                            bytes.resize(4, 0);
                            (
                                2,
                                s.len() as u32 + 1,
                                [bytes[0], bytes[1], bytes[2], bytes[3]],
                            )
                        } else {
                            let n = bytes.len() as u32;
                            data.extend_from_slice(&bytes);
                            (2, n, u32b(data_at as u32))
                        }
                    }
                    Value::Short(v) => {
                        let b = u16b(*v);
                        (3, 1, [b[0], b[1], 0, 0])
                    }
                    Value::Long(v) => (4, 1, u32b(*v)),
                    Value::Rationals(r) => {
                        for (n, d) in r {
                            data.extend_from_slice(&u32b(*n));
                            data.extend_from_slice(&u32b(*d));
                        }
                        (5, r.len() as u32, u32b(data_at as u32))
                    }
                    Value::Ifd(j) => (4, 1, u32b(offsets[*j] as u32)),
                    Value::Blob(b) => {
                        data.extend_from_slice(b);
                        (4, 1, u32b(data_at as u32))
                    }
                };
                if data.len() % 2 == 1 {
                    data.push(0);
                }
                data_at = offsets[i] + 2 + 12 * ifd.len() + 4 + data.len();
                tiff.extend_from_slice(&u16b(kind));
                tiff.extend_from_slice(&u32b(count));
                tiff.extend_from_slice(&inline);
            }
            // Next IFD: IFD0 → IFD1, the others end the chain.
            let next = if i == 0 { offsets[1] as u32 } else { 0 };
            tiff.extend_from_slice(&u32b(next));
            tiff.extend_from_slice(&data);
        }
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&tiff);
        payload
    }

    /// Markers of every segment before the first scan.
    fn header_markers(jpeg: &[u8]) -> Vec<u8> {
        let mut markers = Vec::new();
        let mut at = 2;
        while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
            let marker = jpeg[at + 1];
            markers.push(marker);
            if marker == 0xDA {
                break;
            }
            let len = u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]) as usize;
            at += 2 + len;
        }
        markers
    }

    /// Sampling factors of the frame's components (0x22 0x11 0x11 is 4:2:0).
    fn sampling(jpeg: &[u8]) -> Vec<u8> {
        let at = jpeg
            .windows(2)
            .position(|w| w == [0xFF, 0xC0] || w == [0xFF, 0xC2])
            .expect("SOF");
        let count = usize::from(jpeg[at + 9]);
        (0..count).map(|i| jpeg[at + 10 + 3 * i + 1]).collect()
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// Asserts the output is a plain JFIF with no metadata segment at all.
    fn assert_clean(jpeg: &[u8]) {
        assert!(jpeg.starts_with(&[0xFF, 0xD8]), "starts with SOI");
        let markers = header_markers(jpeg);
        assert!(markers.contains(&0xDA), "has a scan: {markers:x?}");
        for m in &markers {
            assert!(
                *m == 0xE0 || !(0xE1..=0xEF).contains(m) && *m != 0xFE,
                "metadata segment {m:#x} in output: {markers:x?}"
            );
        }
        assert!(!contains(jpeg, b"Exif"));
        assert!(!contains(jpeg, b"FlowPhone"));
        assert!(!contains(jpeg, &gps_bytes(false)));
        assert!(!contains(jpeg, &gps_bytes(true)));
    }

    fn decode(jpeg: &[u8]) -> (u32, u32, Vec<u8>, PixelFormat) {
        let mut decoder = jpeg_decoder::Decoder::new(jpeg);
        let data = decoder.decode().expect("output decodes");
        let info = decoder.info().expect("info");
        (
            u32::from(info.width),
            u32::from(info.height),
            data,
            info.pixel_format,
        )
    }

    fn rgb_at(data: &[u8], w: u32, x: u32, y: u32) -> [u8; 3] {
        let i = (y * w + x) as usize * 3;
        [data[i], data[i + 1], data[i + 2]]
    }

    fn is_red(p: [u8; 3]) -> bool {
        p[0] > 180 && p[1] < 80 && p[2] < 80
    }

    fn phone_jpeg(w: u32, h: u32, orientation: u16, big_endian: bool) -> Vec<u8> {
        let jpeg = jpeg_of(&marked_rgb(w, h), w, h, ColorType::Rgb, 92);
        with_segments(&jpeg, &[(0xE1, exif_payload(orientation, big_endian))])
    }

    // ---- the tests ----------------------------------------------------------------------

    #[test]
    fn phone_photo_is_rotated_resized_and_stripped() {
        let original = phone_jpeg(4032, 3024, 6, false);
        assert!(contains(&original, b"Exif") && contains(&original, &gps_bytes(false)));
        assert_eq!(header_markers(&original)[0], 0xE1);

        let v = make_variants(&original, &Limits::default()).expect("variants");
        assert_eq!((v.width, v.height), (3024, 4032));

        let (w, h, data, format) = decode(&v.display);
        assert_eq!((w, h), (1200, 1600));
        assert_eq!(format, PixelFormat::RGB24);
        // Orientation 6 = rotate 90° clockwise: the stored top-left block is now top-right.
        assert!(is_red(rgb_at(&data, w, w - 20, 20)), "top-right is red");
        assert!(!is_red(rgb_at(&data, w, 20, 20)), "top-left is not red");
        assert!(!is_red(rgb_at(&data, w, w - 20, h - 20)));
        assert_clean(&v.display);
        assert_eq!(sampling(&v.display), [0x22, 0x11, 0x11], "4:2:0");

        let (tw, th, tdata, _) = decode(&v.thumb);
        assert_eq!((tw, th), (240, 320));
        assert!(is_red(rgb_at(&tdata, tw, tw - 5, 5)));
        assert_clean(&v.thumb);
        assert!(v.thumb.len() < v.display.len());
    }

    #[test]
    fn big_endian_exif_orientation_8_is_applied() {
        let original = phone_jpeg(400, 300, 8, true);
        let v = make_variants(&original, &Limits::default()).expect("variants");
        assert_eq!((v.width, v.height), (300, 400));
        let (w, h, data, _) = decode(&v.display);
        assert_eq!((w, h), (300, 400));
        // Rotate 270° clockwise: the stored top-left block is now bottom-left.
        assert!(is_red(rgb_at(&data, w, 10, h - 10)));
        assert!(!is_red(rgb_at(&data, w, 10, 10)));
        assert_clean(&v.display);
        assert_clean(&v.thumb);
    }

    #[test]
    fn orientation_matches_the_image_crate_for_all_eight() {
        let (w, h) = (5u32, 3u32);
        let data: Vec<u8> = (0..w * h * 3).map(|i| i as u8).collect();
        for exif in 1..=8u8 {
            let ours = orient(
                Pixels {
                    data: data.clone(),
                    width: w,
                    height: h,
                    channels: 3,
                },
                exif,
            )
            .expect("orients");
            let mut theirs = DynamicImage::ImageRgb8(
                image::RgbImage::from_raw(w, h, data.clone()).expect("buffer"),
            );
            theirs.apply_orientation(Orientation::from_exif(exif).expect("1..=8"));
            assert_eq!(
                (ours.width, ours.height),
                (theirs.width(), theirs.height()),
                "{exif}"
            );
            assert_eq!(
                ours.data,
                theirs.into_rgb8().into_raw(),
                "orientation {exif}"
            );
        }
    }

    #[test]
    fn progressive_jpeg_works_and_its_memory_is_bounded() {
        let (w, h) = (3400u32, 1700u32);
        let mut jpeg = Vec::new();
        let mut encoder = Encoder::new(&mut jpeg, 85);
        encoder.set_progressive(true);
        encoder
            .encode(&marked_rgb(w, h), w as u16, h as u16, ColorType::Rgb)
            .expect("progressive JPEG encodes");
        assert!(header_markers(&jpeg).contains(&0xC2));
        let v = make_variants(&jpeg, &Limits::default()).expect("variants");
        let (dw, dh, data, _) = decode(&v.display);
        assert_eq!((dw, dh), (1600, 800));
        assert!(is_red(rgb_at(&data, dw, 10, 10)));

        // All coefficients are kept at full size: 3400×1700×3×2 bytes ≈ 35 MB.
        let tight = Limits {
            max_alloc: 30_000_000,
            ..Limits::default()
        };
        assert_eq!(
            make_variants(&jpeg, &tight).err(),
            Some(PhotoError::TooManyPixels)
        );
        let half = &jpeg[..jpeg.len() / 2];
        assert_eq!(
            make_variants(half, &Limits::default()).err(),
            Some(PhotoError::Corrupt)
        );
    }

    #[test]
    fn small_images_are_never_upscaled() {
        let small = phone_jpeg(200, 100, 1, false);
        let v = make_variants(&small, &Limits::default()).expect("variants");
        assert_eq!((v.width, v.height), (200, 100));
        assert_eq!((decode(&v.display).0, decode(&v.display).1), (200, 100));
        assert_eq!((decode(&v.thumb).0, decode(&v.thumb).1), (200, 100));
        assert_clean(&v.display);

        let medium = phone_jpeg(800, 600, 1, false);
        let v = make_variants(&medium, &Limits::default()).expect("variants");
        assert_eq!((decode(&v.display).0, decode(&v.display).1), (800, 600));
        assert_eq!((decode(&v.thumb).0, decode(&v.thumb).1), (320, 240));

        // Exactly the display size, and one pixel tall.
        let wide = jpeg_of(&marked_rgb(1600, 1), 1600, 1, ColorType::Rgb, 90);
        let v = make_variants(&wide, &Limits::default()).expect("variants");
        assert_eq!((decode(&v.display).0, decode(&v.display).1), (1600, 1));
        assert_eq!((decode(&v.thumb).0, decode(&v.thumb).1), (320, 1));
    }

    #[test]
    fn dct_scaling_keeps_the_exact_aspect_ratio() {
        // 3205×803 decodes at 1/2 scale to 1603×402 (rounded up); the output keeps the
        // aspect ratio of the full size.
        let odd = jpeg_of(&marked_rgb(3205, 803), 3205, 803, ColorType::Rgb, 85);
        let v = make_variants(&odd, &Limits::default()).expect("variants");
        assert_eq!((v.width, v.height), (3205, 803));
        assert_eq!((decode(&v.display).0, decode(&v.display).1), (1600, 401));
        assert_eq!((decode(&v.thumb).0, decode(&v.thumb).1), (320, 80));
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }

    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
        png_chunk(&mut png, b"IHDR", &ihdr);
        // A tiny zlib stream (an empty stored block): the pixels are never there.
        png_chunk(
            &mut png,
            b"IDAT",
            &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0, 0, 0, 1],
        );
        png_chunk(&mut png, b"IEND", &[]);
        png
    }

    #[test]
    fn png_decompression_bomb_is_refused_from_the_header() {
        let start = Instant::now();
        for (w, h) in [(100_000, 100_000), (12_001, 10), (10_000, 10_000)] {
            let bomb = png_header(w, h);
            assert!(bomb.len() < 100);
            assert_eq!(
                make_variants(&bomb, &Limits::default()).err(),
                Some(PhotoError::TooManyPixels)
            );
        }
        assert!(start.elapsed() < Duration::from_millis(500));
    }

    #[test]
    fn jpeg_decompression_bomb_is_refused_from_the_header() {
        // A 60000×60000 SOF with no scan data behind it.
        let mut jpeg = jpeg_of(&marked_rgb(16, 16), 16, 16, ColorType::Rgb, 80);
        let sof = jpeg
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("SOF0");
        jpeg[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
        jpeg[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
        let start = Instant::now();
        assert_eq!(
            make_variants(&jpeg, &Limits::default()).err(),
            Some(PhotoError::TooManyPixels)
        );
        assert!(start.elapsed() < Duration::from_millis(200));

        // Within width/height, over the pixel count.
        let limits = Limits {
            max_pixels: 100,
            ..Limits::default()
        };
        let small = jpeg_of(&marked_rgb(16, 16), 16, 16, ColorType::Rgb, 80);
        assert_eq!(
            make_variants(&small, &limits).err(),
            Some(PhotoError::TooManyPixels)
        );
    }

    #[test]
    fn truncated_jpeg_is_corrupt() {
        let original = phone_jpeg(1024, 768, 1, false);
        let half = &original[..original.len() / 2];
        assert_eq!(
            make_variants(half, &Limits::default()).err(),
            Some(PhotoError::Corrupt)
        );
        // Cut inside the headers, and just after SOI.
        assert_eq!(
            make_variants(&original[..40], &Limits::default()).err(),
            Some(PhotoError::Corrupt)
        );
        assert_eq!(
            make_variants(&original[..3], &Limits::default()).err(),
            Some(PhotoError::Corrupt)
        );
    }

    #[test]
    fn other_files_are_not_images() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let random: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let limits = Limits::default();
        for bytes in [
            &random[..],
            b"Dear inspector,\nthe queue machine was broken again.\n",
            b"GIF89a\x10\x00\x10\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
            b"",
            b"\xFF\xD8",
        ] {
            assert_eq!(make_variants(bytes, &limits).err(), Some(PhotoError::NotAnImage), "{bytes:?}");
        }
    }

    #[test]
    fn huge_metadata_is_accepted_and_dropped() {
        let filler = |tag: &[u8], fill: u8| {
            let mut v = tag.to_vec();
            v.resize(60_000, fill);
            v
        };
        let jpeg = jpeg_of(&marked_rgb(1800, 1350), 1800, 1350, ColorType::Rgb, 90);
        let original = with_segments(
            &jpeg,
            &[
                (0xE1, exif_payload(3, false)),
                (
                    0xE1,
                    filler(b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>", b'x'),
                ),
                (0xE2, filler(b"ICC_PROFILE\0\x01\x01", 0x11)),
                (0xED, filler(b"Photoshop 3.0\08BIM", 0x22)),
                (0xFE, filler(b"comment: ", b'c')),
                (0xFE, filler(b"comment 2: ", b'd')),
                (0xEF, filler(b"vendor", 0x33)),
            ],
        );
        assert!(original.len() > 6 * 60_000);
        let v = make_variants(&original, &Limits::default()).expect("variants");
        assert_eq!((v.width, v.height), (1800, 1350));
        let (w, h, data, _) = decode(&v.display);
        assert_eq!((w, h), (1600, 1200));
        // Orientation 3 = 180°: the red block is now bottom-right.
        assert!(is_red(rgb_at(&data, w, w - 10, h - 10)));
        for out in [&v.display, &v.thumb] {
            assert_clean(out);
            for needle in [
                &b"xmpmeta"[..],
                b"ICC_PROFILE",
                b"8BIM",
                b"comment",
                b"vendor",
            ] {
                assert!(!contains(out, needle));
            }
        }
    }

    #[test]
    fn too_many_bytes_are_refused_before_anything_else() {
        let limits = Limits {
            max_bytes: 1000,
            ..Limits::default()
        };
        assert_eq!(
            make_variants(&[0u8; 1001], &limits).err(),
            Some(PhotoError::TooLarge)
        );
        let jpeg = phone_jpeg(300, 200, 1, false);
        assert!(jpeg.len() > 1000);
        assert_eq!(
            make_variants(&jpeg, &limits).err(),
            Some(PhotoError::TooLarge)
        );
    }

    #[test]
    fn grayscale_and_cmyk_jpegs_work() {
        let (w, h) = (640u32, 480u32);
        let gray: Vec<u8> = (0..w * h).map(|i| (i % w * 255 / w) as u8).collect();
        let v = make_variants(
            &jpeg_of(&gray, w, h, ColorType::Luma, 90),
            &Limits::default(),
        )
        .expect("gray");
        let (dw, dh, _, format) = decode(&v.display);
        assert_eq!((dw, dh, format), (640, 480, PixelFormat::L8));
        assert_eq!((decode(&v.thumb).0, decode(&v.thumb).1), (320, 240));

        // Pure magenta-yellow ink = red.
        let cmyk: Vec<u8> = (0..w * h).flat_map(|_| [0u8, 255, 255, 0]).collect();
        let v = make_variants(
            &jpeg_of(&cmyk, w, h, ColorType::Cmyk, 90),
            &Limits::default(),
        )
        .expect("cmyk");
        let (dw, _, data, format) = decode(&v.display);
        assert_eq!(format, PixelFormat::RGB24);
        assert!(
            is_red(rgb_at(&data, dw, 100, 100)),
            "{:?}",
            rgb_at(&data, dw, 100, 100)
        );
    }

    #[test]
    fn png_and_webp_work_and_drop_alpha_onto_white() {
        let (w, h) = (1700u32, 1275u32);
        let rgba: Vec<u8> = marked_rgb(w, h)
            .chunks_exact(3)
            .enumerate()
            .flat_map(|(i, p)| {
                // The bottom half is fully transparent (black underneath).
                if i as u32 / w >= h / 2 {
                    [0, 0, 0, 0]
                } else {
                    [p[0], p[1], p[2], 255]
                }
            })
            .collect();
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&rgba, w, h, image::ExtendedColorType::Rgba8)
            .expect("png");
        let mut webp = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .write_image(&rgba, w, h, image::ExtendedColorType::Rgba8)
            .expect("webp");
        for file in [png, webp] {
            let v = make_variants(&file, &Limits::default()).expect("variants");
            assert_eq!((v.width, v.height), (w, h));
            let (dw, dh, data, _) = decode(&v.display);
            assert_eq!((dw, dh), (1600, 1200));
            assert!(is_red(rgb_at(&data, dw, 10, 10)));
            assert!(
                rgb_at(&data, dw, 800, 1100).iter().all(|&c| c > 240),
                "white"
            );
            assert_eq!((decode(&v.thumb).0, decode(&v.thumb).1), (320, 240));
            assert_clean(&v.display);
        }

        // Truncated PNG.
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(
                &marked_rgb(300, 200),
                300,
                200,
                image::ExtendedColorType::Rgb8,
            )
            .expect("png");
        assert_eq!(
            make_variants(&png[..png.len() / 2], &Limits::default()).err(),
            Some(PhotoError::Corrupt)
        );
        assert!(make_variants(&png, &Limits::default()).is_ok());
    }

    #[test]
    fn mutated_files_never_panic() {
        // Calls the inner function, so a panic fails the test instead of being caught.
        let jpeg = phone_jpeg(64, 48, 6, false);
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&marked_rgb(40, 30), 40, 30, image::ExtendedColorType::Rgb8)
            .expect("png");
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let limits = Limits::default();
        for original in [jpeg, png] {
            for _ in 0..400 {
                let mut bytes = original.clone();
                for _ in 0..1 + next() % 4 {
                    let at = (next() as usize) % bytes.len();
                    bytes[at] = next() as u8;
                }
                if next() % 4 == 0 {
                    bytes.truncate((next() as usize) % bytes.len());
                }
                let _ = make_variants_inner(&bytes, &limits);
            }
        }
    }

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
