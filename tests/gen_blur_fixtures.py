#!/usr/bin/python3
"""Generate preprocessing parity fixtures for libhogfeat's pipeline.

Run with Debian's interpreter, which has python3-skimage (0.19.3), numpy and
python3-opencv:

    /usr/bin/python3 tests/gen_blur_fixtures.py [output-dir]

It rewrites tests/data/blur/*.pre and tests/data/blur/README.md. Every image
comes from a fixed seed, so a rerun with the same library versions reproduces
the files byte for byte.

Two kinds of case:
  blur   skimage.filters.gaussian(image, sigma) with its defaults
         (mode='nearest', truncate=4.0, preserve_range=False), and
         channel_axis=-1 for RGB;
  resize cv2.resize(image, (out_w, out_h), interpolation=cv2.INTER_LINEAR)
         on float32 input.

The file format is described in README_TEXT below.
"""

import os
import struct
import sys

import cv2
import numpy as np
import scipy
import skimage
from skimage.filters import gaussian

MAGIC = b"HFPRE1\r\n"
KIND_BLUR, KIND_RESIZE = 1, 2
DTYPE_U8, DTYPE_F32 = 1, 2

README_TEXT = """\
# Preprocessing parity fixtures

Reference outputs for the pipeline's Gaussian blur and bilinear resize, read
by `tests/test-pipeline.c`. Made by

    /usr/bin/python3 tests/gen_blur_fixtures.py

with scikit-image {skver}, scipy {spver}, OpenCV {cvver}, numpy {npver}. The
script is deterministic (fixed seeds); it deletes the `*.pre` files here and
writes them, and this README, again.

* kind 1 (blur): `skimage.filters.gaussian(image, sigma)` with the default
  `mode='nearest'`, `truncate=4.0`, `preserve_range=False` (uint8 input is
  scaled to [0, 1]), and `channel_axis=-1` for 3 channels.
* kind 2 (resize): `cv2.resize(image, (out_width, out_height),
  interpolation=cv2.INTER_LINEAR)` on float32 input.

## File format `.pre`, version 1

All numbers little-endian; no padding anywhere.

| offset | size | field                                                        |
| ------ | ---- | ------------------------------------------------------------ |
| 0      | 8    | magic `48 46 50 52 45 31 0D 0A` ("HFPRE1\\r\\n")             |
| 8      | 4    | u32 kind: 1 blur, 2 resize                                   |
| 12     | 4    | u32 input dtype: 1 uint8, 2 float32                          |
| 16     | 4    | u32 channels: 1 or 3 (interleaved)                           |
| 20     | 4    | u32 input width                                              |
| 24     | 4    | u32 input height                                             |
| 28     | 4    | u32 output width (equals input width for blur)               |
| 32     | 4    | u32 output height                                            |
| 36     | 4    | u32 reserved, 0                                              |
| 40     | 8    | f64 sigma (blur), 0 for resize                               |
| 48     | ...  | input samples, height x width x channels, uint8 or float32   |
| ...    | ...  | output samples, out_height x out_width x channels, float64   |

The file ends right after the output samples. Blur outputs of uint8 input are
in [0, 1]; float outputs are stored widened to float64 without change.

## Cases

{table}
"""


def blur_case(name, rng, dtype, channels, w, h, sigma):
    shape = (h, w, channels) if channels == 3 else (h, w)
    if dtype == DTYPE_U8:
        img = rng.integers(0, 256, size=shape, dtype=np.uint8)
    else:
        img = rng.random(size=shape, dtype=np.float32)
    out = gaussian(img, sigma, channel_axis=-1 if channels == 3 else None)
    return dict(name=name, kind=KIND_BLUR, dtype=dtype, channels=channels, w=w, h=h,
                ow=w, oh=h, sigma=sigma, img=img, out=np.asarray(out, dtype=np.float64))


def resize_case(name, rng, channels, w, h, ow, oh):
    shape = (h, w, channels) if channels == 3 else (h, w)
    img = rng.random(size=shape, dtype=np.float32)
    out = cv2.resize(img, (ow, oh), interpolation=cv2.INTER_LINEAR)
    return dict(name=name, kind=KIND_RESIZE, dtype=DTYPE_F32, channels=channels, w=w, h=h,
                ow=ow, oh=oh, sigma=0.0, img=img, out=np.asarray(out, dtype=np.float64))


def write_case(path, c):
    head = MAGIC + struct.pack("<8Id", c["kind"], c["dtype"], c["channels"], c["w"], c["h"],
                               c["ow"], c["oh"], 0, c["sigma"])
    img = c["img"]
    if c["dtype"] == DTYPE_U8:
        body = np.ascontiguousarray(img, dtype=np.uint8).tobytes()
    else:
        body = np.ascontiguousarray(img, dtype="<f4").tobytes()
    out = np.ascontiguousarray(c["out"], dtype="<f8").tobytes()
    expect_out = c["oh"] * c["ow"] * c["channels"] * 8
    assert len(out) == expect_out, (c["name"], len(out), expect_out)
    with open(path, "wb") as f:
        f.write(head + body + out)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data", "blur")
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        if f.endswith(".pre"):
            os.remove(os.path.join(outdir, f))
    rng = np.random.default_rng(20240611)
    cases = [
        blur_case("blur-u8-gray-17x11-s1.2", rng, DTYPE_U8, 1, 17, 11, 1.2),
        blur_case("blur-u8-gray-40x23-s3", rng, DTYPE_U8, 1, 40, 23, 3.0),
        blur_case("blur-f32-gray-31x19-s0.5", rng, DTYPE_F32, 1, 31, 19, 0.5),
        blur_case("blur-u8-rgb-25x14-s1.2", rng, DTYPE_U8, 3, 25, 14, 1.2),
        blur_case("blur-f32-rgb-13x29-s3", rng, DTYPE_F32, 3, 13, 29, 3.0),
        blur_case("blur-u8-gray-3x2-s3-tiny", rng, DTYPE_U8, 1, 3, 2, 3.0),
        blur_case("blur-f32-rgb-2x5-s1.2-tiny", rng, DTYPE_F32, 3, 2, 5, 1.2),
        blur_case("blur-u8-gray-64x48-s0.5", rng, DTYPE_U8, 1, 64, 48, 0.5),
        blur_case("blur-f32-gray-5x7-s12.7", rng, DTYPE_F32, 1, 5, 7, 12.7),
        blur_case("blur-u8-rgb-9x6-s64", rng, DTYPE_U8, 3, 9, 6, 64.0),
        blur_case("blur-u8-gray-1x1-s0.3", rng, DTYPE_U8, 1, 1, 1, 0.3),
        blur_case("blur-f32-gray-24x9-s0.1", rng, DTYPE_F32, 1, 24, 9, 0.1),
        resize_case("resize-f32-gray-17x11-to-32x20", rng, 1, 17, 11, 32, 20),
        resize_case("resize-f32-gray-40x23-to-13x9", rng, 1, 40, 23, 13, 9),
        resize_case("resize-f32-rgb-25x14-to-50x7", rng, 3, 25, 14, 50, 7),
        resize_case("resize-f32-gray-1x1-to-4x3", rng, 1, 1, 1, 4, 3),
        resize_case("resize-f32-rgb-7x5-to-3x11", rng, 3, 7, 5, 3, 11),
        resize_case("resize-f32-gray-64x64-to-32x32", rng, 1, 64, 64, 32, 32),
    ]
    rows = ["| file | kind | dtype | channels | input | output | sigma |",
            "| ---- | ---- | ----- | -------- | ----- | ------ | ----- |"]
    for i, c in enumerate(cases):
        fname = "%03d-%s.pre" % (i, c["name"])
        write_case(os.path.join(outdir, fname), c)
        rows.append("| `%s` | %s | %s | %d | %dx%d | %dx%d | %g |" % (
            fname, "blur" if c["kind"] == KIND_BLUR else "resize",
            "u8" if c["dtype"] == DTYPE_U8 else "f32", c["channels"], c["w"], c["h"],
            c["ow"], c["oh"], c["sigma"]))
    with open(os.path.join(outdir, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(README_TEXT.format(skver=skimage.__version__, spver=scipy.__version__,
                                   cvver=cv2.__version__, npver=np.__version__,
                                   table="\n".join(rows)))


if __name__ == "__main__":
    main()
