//! A uniform latitude/longitude grid of service locations: the spatial prefilter for "within
//! 10 km" when there is no text to start from. Why a grid and not an R-tree: the points are
//! spread over one small country, the radius is a few cells wide, and a grid is a hash map that
//! takes inserts and compaction without rebalancing.

use std::collections::HashMap;

use mantelkring_core::geo::BoundingBox;

/// Cell size in degrees: about 11 km north–south, 7 km east–west in the Netherlands, so a
/// 10 km circle touches some 3 × 4 cells.
const CELL_DEGREES: f64 = 0.1;

/// More cells than this in one query (a huge radius): scanning the documents is cheaper.
const MAX_CELLS: i64 = 2_048;

#[derive(Debug, Clone, Copy)]
pub struct Point {
    pub latitude: f64,
    pub longitude: f64,
    pub doc: u32,
}

#[derive(Debug, Default)]
pub struct Grid {
    cells: HashMap<(i32, i32), Vec<Point>>,
}

fn cell_of(degrees: f64) -> i32 {
    (degrees / CELL_DEGREES).floor() as i32
}

impl Grid {
    pub fn insert(&mut self, point: Point) {
        let key = (cell_of(point.latitude), cell_of(point.longitude));
        self.cells.entry(key).or_default().push(point);
    }

    /// Keeps the points of live documents under their new numbers (`renumber[old]`).
    pub fn renumber(&mut self, renumber: &[Option<u32>]) {
        self.cells.retain(|_, points| {
            points.retain_mut(|p| match renumber[p.doc as usize] {
                Some(new) => {
                    p.doc = new;
                    true
                }
                None => false,
            });
            !points.is_empty()
        });
    }

    /// Calls `each` with every point inside the box (a point may come once per location, so a
    /// document can come more than once). `false` when the box is too large for the grid: the
    /// caller then scans everything.
    pub fn visit(&self, bbox: &BoundingBox, mut each: impl FnMut(&Point)) -> bool {
        let (south, north) = (cell_of(bbox.south), cell_of(bbox.north));
        let ranges: &[(f64, f64)] = if bbox.crosses_antimeridian() {
            &[(bbox.west, 180.0), (-180.0, bbox.east)]
        } else {
            &[(bbox.west, bbox.east)]
        };
        let cells: i64 = ranges
            .iter()
            .map(|&(w, e)| i64::from(cell_of(e) - cell_of(w) + 1))
            .sum::<i64>()
            * i64::from(north - south + 1);
        if cells > MAX_CELLS {
            return false;
        }
        for &(west, east) in ranges {
            for lat in south..=north {
                for lon in cell_of(west)..=cell_of(east) {
                    if let Some(points) = self.cells.get(&(lat, lon)) {
                        for p in points {
                            let inside = (bbox.south..=bbox.north).contains(&p.latitude)
                                && (west..=east).contains(&p.longitude);
                            if inside {
                                each(p);
                            }
                        }
                    }
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mantelkring_core::geo::{Coordinates, bounding_box};

    #[test]
    fn finds_points_in_the_box_across_cells_and_the_antimeridian() {
        let mut grid = Grid::default();
        let pts = [
            (52.16, 4.49),
            (52.30, 4.49),
            (52.16, 4.70),
            (0.0, 179.99),
            (0.0, -179.99),
        ];
        for (i, &(la, lo)) in pts.iter().enumerate() {
            grid.insert(Point {
                latitude: la,
                longitude: lo,
                doc: i as u32,
            });
        }
        let found = |grid: &Grid, c: Coordinates, r: f64| {
            let mut v = Vec::new();
            assert!(grid.visit(&bounding_box(c, r), |p| v.push(p.doc)));
            v.sort();
            v
        };
        assert_eq!(
            found(&grid, Coordinates::new(52.16, 4.49).unwrap(), 10.0),
            [0]
        );
        assert_eq!(
            found(&grid, Coordinates::new(52.2, 4.55).unwrap(), 20.0),
            [0, 1, 2]
        );
        assert_eq!(
            found(&grid, Coordinates::new(0.0, 180.0).unwrap(), 5.0),
            [3, 4]
        );
        let mut none = true;
        assert!(!grid.visit(
            &bounding_box(Coordinates::new(52.0, 5.0).unwrap(), 5_000.0),
            |_| none = false
        ));
        assert!(none);
        grid.renumber(&[None, Some(0), None, None, None]);
        assert_eq!(
            found(&grid, Coordinates::new(52.2, 4.55).unwrap(), 20.0),
            [0]
        );
    }
}
