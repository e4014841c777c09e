//! Geography for the social map: Dutch postcodes reduced to their four digits (PC4), coordinates,
//! great-circle distance and a bounding box for a cheap prefilter before the exact distance.
//! The PC4 reference file (CSV) is read by [`pc4_csv`].

pub mod pc4_csv;

use std::fmt;

/// Mean earth radius (IUGG), in kilometres.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A four-digit Dutch postcode area, 1000 to 9999 (postcodes never start with 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pc4(u16);

/// A postcode that could not be read; the message is Dutch and names the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPostcode {
    #[error(
        "ongeldige postcode '{0}': verwacht vier cijfers die niet met 0 beginnen, bijvoorbeeld 2311"
    )]
    NotPc4(String),
    #[error(
        "ongeldige postcode '{0}': verwacht vier cijfers die niet met 0 beginnen, eventueel gevolgd door twee letters, bijvoorbeeld 2311 of 2311 AB"
    )]
    NotPostcode(String),
}

impl Pc4 {
    /// Exactly four digits, not starting with 0 (`2311`); surrounding spaces are ignored.
    pub fn parse(input: &str) -> Result<Pc4, InvalidPostcode> {
        digits(input.trim()).ok_or_else(|| InvalidPostcode::NotPc4(input.to_string()))
    }

    /// A postcode as people write it: four digits (`2311`), or a full six-position postcode with
    /// two letters, with or without one space and in either case (`2311 AB`, `2311ab`), reduced to
    /// its PC4. Any two letters are accepted.
    pub fn from_postcode(input: &str) -> Result<Pc4, InvalidPostcode> {
        let bad = || InvalidPostcode::NotPostcode(input.to_string());
        let trimmed = input.trim();
        let (number, rest) = trimmed.split_at_checked(4).ok_or_else(bad)?;
        let letters = rest.strip_prefix(' ').unwrap_or(rest);
        let letters_ok = letters.is_empty()
            || (letters.len() == 2 && letters.bytes().all(|b| b.is_ascii_alphabetic()));
        if !letters_ok || (letters.is_empty() && !rest.is_empty()) {
            return Err(bad());
        }
        digits(number).ok_or_else(bad)
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

fn digits(s: &str) -> Option<Pc4> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with('0') {
        return None;
    }
    s.parse().ok().map(Pc4)
}

impl fmt::Display for Pc4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A point on earth in decimal degrees (WGS84): latitude -90..=90, longitude -180..=180,
/// never NaN or infinite. Made only through [`Coordinates::new`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    latitude: f64,
    longitude: f64,
}

/// Coordinates out of range; the message is Dutch and says which of the two is wrong.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum InvalidCoordinates {
    #[error("breedtegraad {0} ligt niet tussen -90 en 90")]
    Latitude(f64),
    #[error("lengtegraad {0} ligt niet tussen -180 en 180")]
    Longitude(f64),
}

impl Coordinates {
    pub fn new(latitude: f64, longitude: f64) -> Result<Coordinates, InvalidCoordinates> {
        Ok(Coordinates {
            latitude: Coordinates::check_latitude(latitude)?,
            longitude: Coordinates::check_longitude(longitude)?,
        })
    }

    /// -90 to 90; NaN fails the range test, so it is refused too.
    pub fn check_latitude(latitude: f64) -> Result<f64, InvalidCoordinates> {
        if (-90.0..=90.0).contains(&latitude) {
            Ok(latitude)
        } else {
            Err(InvalidCoordinates::Latitude(latitude))
        }
    }

    /// -180 to 180; NaN is refused.
    pub fn check_longitude(longitude: f64) -> Result<f64, InvalidCoordinates> {
        if (-180.0..=180.0).contains(&longitude) {
            Ok(longitude)
        } else {
            Err(InvalidCoordinates::Longitude(longitude))
        }
    }

    pub fn latitude(self) -> f64 {
        self.latitude
    }

    pub fn longitude(self) -> f64 {
        self.longitude
    }
}

/// The great-circle distance in kilometres (haversine, mean earth radius).
pub fn distance_km(a: Coordinates, b: Coordinates) -> f64 {
    let (lat1, lat2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let half_dlat = (lat2 - lat1) / 2.0;
    let half_dlon = (b.longitude - a.longitude).to_radians() / 2.0;
    let h = half_dlat.sin().powi(2) + lat1.cos() * lat2.cos() * half_dlon.sin().powi(2);
    // Rounding can push h a hair above 1 for (nearly) antipodal points.
    2.0 * EARTH_RADIUS_KM * h.clamp(0.0, 1.0).sqrt().asin()
}

/// A latitude/longitude rectangle. When `west > east` the box crosses the 180th meridian and
/// holds the longitudes from `west` up to 180 and from -180 up to `east`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub south: f64,
    pub north: f64,
    pub west: f64,
    pub east: f64,
}

impl BoundingBox {
    pub fn contains(&self, point: Coordinates) -> bool {
        let lat_ok = (self.south..=self.north).contains(&point.latitude);
        let lon = point.longitude;
        let lon_ok = if self.west <= self.east {
            (self.west..=self.east).contains(&lon)
        } else {
            lon >= self.west || lon <= self.east
        };
        lat_ok && lon_ok
    }

    /// True when the box crosses the 180th meridian (two longitude ranges in a query).
    pub fn crosses_antimeridian(&self) -> bool {
        self.west > self.east
    }
}

/// Margin added to the box so that rounding never drops a point at exactly `radius_km`: about a
/// tenth of a millimetre in latitude; longitudes get a relative margin as well (see below).
const BOX_MARGIN_DEGREES: f64 = 1e-9;

/// A box that contains every point within `radius_km` of `center` (and some more near its
/// corners): compare latitude and longitude first, then compute [`distance_km`] for what is left.
/// Handles the poles (a circle around a pole spans every longitude) and the 180th meridian.
/// A negative or NaN radius is taken as 0.
pub fn bounding_box(center: Coordinates, radius_km: f64) -> BoundingBox {
    let radius_km = if radius_km > 0.0 { radius_km } else { 0.0 };
    let angular = radius_km / EARTH_RADIUS_KM; // radians
    let lat = center.latitude.to_radians();
    let south = (lat - angular).to_degrees() - BOX_MARGIN_DEGREES;
    let north = (lat + angular).to_degrees() + BOX_MARGIN_DEGREES;
    let whole_circle = BoundingBox {
        south: south.max(-90.0),
        north: north.min(90.0),
        west: -180.0,
        east: 180.0,
    };
    if south <= -90.0 || north >= 90.0 {
        // The circle contains a pole, so it reaches every longitude.
        return whole_circle;
    }
    // The widest longitude the circle reaches (where a meridian is tangent to it): from
    // sin(dlon) = sin(angular) / cos(lat). Close to 1 the arcsine is steep, so be generous there.
    let ratio = angular.sin() / lat.cos();
    if ratio >= 1.0 - 1e-9 {
        return whole_circle;
    }
    let dlon = ratio.asin().to_degrees() * (1.0 + 1e-9) + BOX_MARGIN_DEGREES;
    if dlon >= 180.0 {
        return whole_circle;
    }
    let wrap = |lon: f64| {
        if lon < -180.0 {
            lon + 360.0
        } else if lon > 180.0 {
            lon - 360.0
        } else {
            lon
        }
    };
    BoundingBox {
        south,
        north,
        west: wrap(center.longitude - dlon),
        east: wrap(center.longitude + dlon),
    }
}

/// One row of the PC4 reference: a postcode area with its centroid.
#[derive(Debug, Clone, PartialEq)]
pub struct PostcodeArea {
    pub pc4: Pc4,
    /// Woonplaats, for example "Leiden".
    pub place: String,
    /// Gemeente; `None` when the source does not name one (the reference file has a few).
    pub municipality: Option<String>,
    /// Provincie, for example "Zuid-Holland".
    pub province: String,
    pub centroid: Coordinates,
}

#[cfg(test)]
mod tests;
