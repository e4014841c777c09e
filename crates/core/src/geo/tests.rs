use super::*;
use proptest::prelude::*;

fn at(latitude: f64, longitude: f64) -> Coordinates {
    Coordinates::new(latitude, longitude).unwrap()
}

#[test]
fn pc4_takes_four_digits_not_starting_with_zero() {
    assert_eq!(Pc4::parse("2311").unwrap().get(), 2311);
    assert_eq!(Pc4::parse(" 9999 ").unwrap().to_string(), "9999");
    assert_eq!(Pc4::parse("1000").unwrap().to_string(), "1000");
    for bad in [
        "",
        "0123",
        "0000",
        "231",
        "23111",
        "23a1",
        "2311AB",
        "+231",
        "２３１１",
        "2 311",
    ] {
        let err = Pc4::parse(bad).unwrap_err();
        assert!(
            err.to_string().starts_with("ongeldige postcode"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn a_full_postcode_is_reduced_to_its_pc4() {
    for ok in [
        "2311 AB",
        "2311AB",
        "2311ab",
        "2311 ab",
        " 2311 Ab ",
        "2311",
    ] {
        assert_eq!(Pc4::from_postcode(ok).unwrap().get(), 2311, "{ok}");
    }
    // SA, SD and SS are not used in real postcodes, but they are letters: accepted.
    assert_eq!(Pc4::from_postcode("1234 SS").unwrap().to_string(), "1234");
    for bad in [
        "", "0311 AB", "2311 A", "2311 ABC", "2311  AB", "2311-AB", "2311 A1", "231 AB", "2311 ÄB",
        "AB 2311", "2311 .", "23é1",
    ] {
        let err = Pc4::from_postcode(bad).unwrap_err();
        assert!(
            err.to_string().contains("2311 AB"),
            "{bad:?} gives a message with an example: {err}"
        );
    }
}

#[test]
fn coordinates_are_checked() {
    assert!(Coordinates::new(52.16, 4.49).is_ok());
    assert!(Coordinates::new(-90.0, -180.0).is_ok());
    assert!(Coordinates::new(90.0, 180.0).is_ok());
    // Caribbean Netherlands (Bonaire).
    assert!(Coordinates::new(12.15, -68.27).is_ok());
    assert_eq!(
        Coordinates::new(90.01, 4.0),
        Err(InvalidCoordinates::Latitude(90.01))
    );
    assert_eq!(
        Coordinates::new(52.0, -180.5),
        Err(InvalidCoordinates::Longitude(-180.5))
    );
    assert!(matches!(
        Coordinates::new(f64::NAN, 4.0),
        Err(InvalidCoordinates::Latitude(_))
    ));
    assert!(matches!(
        Coordinates::new(52.0, f64::NAN),
        Err(InvalidCoordinates::Longitude(_))
    ));
    assert!(Coordinates::new(f64::INFINITY, 4.0).is_err());
    assert!(
        Coordinates::new(91.0, 0.0)
            .unwrap_err()
            .to_string()
            .starts_with("breedtegraad 91 ligt niet")
    );
}

#[test]
fn known_distances() {
    // One degree of longitude on the equator is 2πR/360.
    let one_degree = distance_km(at(0.0, 0.0), at(0.0, 1.0));
    assert!((one_degree - 111.1951).abs() < 1e-3, "{one_degree}");
    // Pole to pole, and antipodes, are half the circumference: πR.
    let half = std::f64::consts::PI * EARTH_RADIUS_KM;
    assert!((distance_km(at(90.0, 0.0), at(-90.0, 0.0)) - half).abs() < 1e-6);
    assert!((distance_km(at(52.0, 4.0), at(-52.0, -176.0)) - half).abs() < 1e-3);
    // Leiden Centraal to Den Haag Centraal: about 14.3 km as the crow flies.
    let leiden = at(52.1664, 4.4817);
    let den_haag = at(52.0809, 4.3245);
    let d = distance_km(leiden, den_haag);
    assert!((14.0..=14.8).contains(&d), "{d}");
    // Amsterdam Centraal to Groningen station: about 145 km.
    let d = distance_km(at(52.3791, 4.9003), at(53.2105, 6.5641));
    assert!((144.0..=146.0).contains(&d), "{d}");
}

#[test]
fn the_box_around_leiden_holds_den_haag_at_15_km_but_not_at_10() {
    let leiden = at(52.1664, 4.4817);
    let den_haag = at(52.0809, 4.3245);
    assert!(bounding_box(leiden, 15.0).contains(den_haag));
    assert!(!bounding_box(leiden, 10.0).contains(den_haag));
    let b = bounding_box(leiden, 10.0);
    // 10 km is about 0.09 degrees of latitude and 0.15 degrees of longitude at 52° north.
    assert!((b.north - b.south - 0.1798).abs() < 1e-3, "{b:?}");
    assert!((b.east - b.west - 0.2935).abs() < 2e-3, "{b:?}");
}

#[test]
fn boxes_near_the_poles_and_the_antimeridian() {
    let near_pole = bounding_box(at(89.5, 10.0), 100.0);
    assert_eq!(
        (near_pole.west, near_pole.east, near_pole.north),
        (-180.0, 180.0, 90.0)
    );
    let fiji = bounding_box(at(-17.7, 179.9), 50.0);
    assert!(fiji.crosses_antimeridian(), "{fiji:?}");
    assert!(fiji.contains(at(-17.7, -179.9)));
    assert!(fiji.contains(at(-17.7, 179.5)));
    assert!(!fiji.contains(at(-17.7, 0.0)));
    let point = bounding_box(at(52.0, 4.0), 0.0);
    assert!(point.contains(at(52.0, 4.0)));
    assert_eq!(bounding_box(at(52.0, 4.0), -5.0), point);
    let world = bounding_box(at(0.0, 0.0), 30_000.0);
    assert_eq!(
        (world.south, world.north, world.west, world.east),
        (-90.0, 90.0, -180.0, 180.0)
    );
}

fn coordinates() -> impl Strategy<Value = Coordinates> {
    (-90.0..=90.0f64, -180.0..=180.0f64).prop_map(|(lat, lon)| at(lat, lon))
}

/// The point `distance_km` from `from` in direction `bearing` (radians), on the sphere.
fn destination(from: Coordinates, bearing: f64, distance: f64) -> Option<Coordinates> {
    let delta = distance / EARTH_RADIUS_KM;
    let lat1 = from.latitude().to_radians();
    let lon1 = from.longitude().to_radians();
    let lat2 = (lat1.sin() * delta.cos() + lat1.cos() * delta.sin() * bearing.cos())
        .clamp(-1.0, 1.0)
        .asin();
    let lon2 = lon1
        + (bearing.sin() * delta.sin() * lat1.cos()).atan2(delta.cos() - lat1.sin() * lat2.sin());
    let mut lon = lon2.to_degrees();
    while lon > 180.0 {
        lon -= 360.0;
    }
    while lon < -180.0 {
        lon += 360.0;
    }
    Coordinates::new(lat2.to_degrees(), lon).ok()
}

proptest! {
    #[test]
    fn distance_is_symmetric_and_zero_to_itself(a in coordinates(), b in coordinates()) {
        prop_assert_eq!(distance_km(a, a), 0.0);
        let (ab, ba) = (distance_km(a, b), distance_km(b, a));
        prop_assert!((ab - ba).abs() <= 1e-9, "{} vs {}", ab, ba);
        prop_assert!((0.0..=std::f64::consts::PI * EARTH_RADIUS_KM + 1e-9).contains(&ab));
    }

    #[test]
    fn distance_obeys_the_triangle_inequality(
        a in coordinates(), b in coordinates(), c in coordinates()
    ) {
        let direct = distance_km(a, c);
        let via = distance_km(a, b) + distance_km(b, c);
        // Near antipodes the arcsine loses precision: allow a millimetre or so.
        prop_assert!(direct <= via + 1e-3, "{} > {}", direct, via);
    }

    #[test]
    fn every_point_within_the_radius_lies_in_the_box(
        center in coordinates(),
        radius in 0.0..25_000.0f64,
        bearing in 0.0..std::f64::consts::TAU,
        fraction in 0.0..=1.0f64,
        anywhere in coordinates(),
    ) {
        let b = bounding_box(center, radius);
        if let Some(p) = destination(center, bearing, radius * fraction)
            && distance_km(center, p) <= radius
        {
            prop_assert!(b.contains(p), "{:?} at {} km not in {:?}", p, distance_km(center, p), b);
        }
        if distance_km(center, anywhere) <= radius {
            prop_assert!(b.contains(anywhere), "{:?} not in {:?}", anywhere, b);
        }
    }

    #[test]
    fn small_boxes_around_the_netherlands_are_tight(
        center in (50.7..53.5f64, 3.3..7.3f64).prop_map(|(lat, lon)| at(lat, lon)),
        radius in 0.5..100.0f64,
        bearing in 0.0..std::f64::consts::TAU,
    ) {
        // A point just outside the circle, straight north or south, falls outside the box.
        let b = bounding_box(center, radius);
        let beyond = radius * 1.001 + 0.01;
        let north = destination(center, 0.0, beyond).unwrap();
        let south = destination(center, std::f64::consts::PI, beyond).unwrap();
        prop_assert!(!b.contains(north) && !b.contains(south));
        let on_circle = destination(center, bearing, radius * 0.999).unwrap();
        prop_assert!(b.contains(on_circle));
    }

    #[test]
    fn pc4_parse_never_panics_and_round_trips(s in "\\PC{0,8}") {
        if let Ok(pc4) = Pc4::parse(&s) {
            prop_assert!((1000..=9999).contains(&pc4.get()));
            prop_assert_eq!(Pc4::parse(&pc4.to_string()).unwrap(), pc4);
        }
        let _ = Pc4::from_postcode(&s);
    }

    #[test]
    fn every_pc6_gives_its_pc4(n in 1000u16..=9999, letters in "[A-Za-z]{2}", space in any::<bool>()) {
        let written = format!("{n}{}{letters}", if space { " " } else { "" });
        prop_assert_eq!(Pc4::from_postcode(&written).unwrap().get(), n);
    }
}

#[test]
fn points_exactly_on_the_circle_lie_in_the_box() {
    for lat in (-89..=89).step_by(2) {
        for lon in [-179.99, -120.0, 0.0, 4.49, 179.99] {
            let center = at(f64::from(lat) + 0.123, lon);
            for radius in [0.01, 1.0, 10.0, 15.0, 100.0, 1000.0, 5000.0] {
                let b = bounding_box(center, radius);
                for degree in 0..360 {
                    let bearing = f64::from(degree).to_radians();
                    let Some(p) = destination(center, bearing, radius) else {
                        continue;
                    };
                    if distance_km(center, p) <= radius {
                        assert!(b.contains(p), "{p:?} from {center:?} at {radius} km: {b:?}");
                    }
                }
            }
        }
    }
}
