//! Photos on the device (being written).
