//! A grid over the volunteers, one list per (help type, cell), built once and reused for many
//! requests: a request reads only the cells its bounding box touches, and only the volunteers
//! offering its type of help. Volunteers without capacity left are left out (never admissible).

use super::constraints::admissible;
use super::types::{HelpType, Request, Volunteer, WeekSlot};
use crate::geo::{Coordinates, EARTH_RADIUS_KM, bounding_box};

/// Cell size in degrees: about 3 km north–south and 3 km east–west at Dutch latitudes.
const CELL_LAT: f64 = 0.027;
const CELL_LON: f64 = 0.044;
const TYPES: usize = HelpType::ALL.len();

/// What the scan reads for each volunteer, copied so the scan stays in one array: cheap tests
/// that never refuse an admissible pair. Only the volunteers that pass them are checked in full.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The point as a unit vector: the chord between two points grows with their distance.
    xyz: [f64; 3],
    /// Squared chord of the volunteer's own limit, with a margin.
    chord2: f64,
    /// Blocks of the week the availability touches (see [`week_blocks`]).
    blocks: u128,
    /// Days since 1970; `i64::MIN` without a VOG.
    vog_until: i64,
    volunteer: u32,
    skills: u16,
    has_car: bool,
}

/// Minutes per block of [`week_blocks`]: 18 blocks a day, 126 a week.
const BLOCK_MINUTES: u16 = 80;

/// The 80-minute blocks of the week that the valid slots touch. Two slots that overlap by a
/// minute or more touch a common block, so disjoint masks mean no overlap.
pub(crate) fn week_blocks(slots: &[WeekSlot]) -> u128 {
    let mut mask = 0u128;
    for slot in slots.iter().filter(|s| s.is_valid()) {
        let day = u32::from(slot.day.number() - 1) * 18;
        for block in slot.start_minute / BLOCK_MINUTES..=(slot.end_minute - 1) / BLOCK_MINUTES {
            mask |= 1u128 << (day + u32::from(block));
        }
    }
    mask
}

fn unit_vector(at: Coordinates) -> [f64; 3] {
    let (lat, lon) = (at.latitude().to_radians(), at.longitude().to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// The squared chord of a great-circle distance, slightly enlarged so rounding never drops a
/// point that [`distance_km`](crate::geo::distance_km) puts within the limit. Negative or NaN
/// limits give -1 (nothing passes); beyond half the earth everything passes.
fn chord2(km: f64) -> f64 {
    if km.is_nan() || km < 0.0 {
        return -1.0;
    }
    let half_angle = (km / EARTH_RADIUS_KM / 2.0).min(std::f64::consts::FRAC_PI_2);
    let chord = 2.0 * half_angle.sin();
    (chord * chord) * (1.0 + 1e-9) + 1e-12
}

/// Spatial index over volunteers (see the module documentation).
#[derive(Debug, Clone)]
pub struct VolunteerIndex {
    volunteers: Vec<Volunteer>,
    /// Remaining capacity per volunteer, in `volunteers` order.
    remaining: Vec<u32>,
    entries: Vec<Entry>,
    /// Start of each (type, cell) list in `entries`, indexed `type * cells + row * cols + col`
    /// (so the cells of one row and type are one contiguous run); one more at the end.
    starts: Vec<u32>,
    rows: usize,
    cols: usize,
    south: f64,
    west: f64,
    cell_lat: f64,
    cell_lon: f64,
    /// The largest limit of an indexed volunteer: no request needs to look farther.
    max_km: f64,
}

impl VolunteerIndex {
    pub fn build(volunteers: Vec<Volunteer>) -> VolunteerIndex {
        assert!(
            volunteers.len() < u32::MAX as usize,
            "at most 2^32 - 2 volunteers"
        );
        let remaining: Vec<u32> = volunteers
            .iter()
            .map(|v| u32::from(v.remaining()))
            .collect();
        let live = || {
            volunteers
                .iter()
                .enumerate()
                .filter(|(i, v)| remaining[*i] > 0 && !v.offers.is_empty())
        };
        let (mut south, mut north, mut west, mut east) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
        let mut max_km = 0.0f64;
        let mut count = 0usize;
        for (_, v) in live() {
            south = south.min(v.location.latitude());
            north = north.max(v.location.latitude());
            west = west.min(v.location.longitude());
            east = east.max(v.location.longitude());
            if v.max_distance_km > max_km {
                max_km = v.max_distance_km;
            }
            count += 1;
        }
        if count == 0 {
            (south, north, west, east) = (0.0, 0.0, 0.0, 0.0);
        }
        // Keep the grid small for data spread over the world: grow the cells until there are
        // at most about as many cells as volunteers (and at least 2^16 allowed).
        let (mut cell_lat, mut cell_lon) = (CELL_LAT, CELL_LON);
        let cap = count.max(1 << 16) as f64;
        let dims = |cl: f64, co: f64| {
            (
                ((north - south) / cl).floor() as usize + 1,
                ((east - west) / co).floor() as usize + 1,
            )
        };
        let (mut rows, mut cols) = dims(cell_lat, cell_lon);
        while (rows as f64) * (cols as f64) > cap {
            let grow = ((rows as f64) * (cols as f64) / cap).sqrt().max(1.1);
            cell_lat *= grow;
            cell_lon *= grow;
            (rows, cols) = dims(cell_lat, cell_lon);
        }
        let mut index = VolunteerIndex {
            volunteers: Vec::new(),
            remaining: Vec::new(),
            entries: Vec::new(),
            starts: Vec::new(),
            rows,
            cols,
            south,
            west,
            cell_lat,
            cell_lon,
            max_km,
        };
        // Counting sort by (type, cell); entries within a list keep volunteer order.
        let cells = rows * cols;
        let mut starts = vec![0u32; TYPES * cells + 1];
        let mut keys = Vec::new();
        for (i, v) in live() {
            let cell = index.row(v.location.latitude()) * cols + index.col(v.location.longitude());
            for t in v.offers.iter() {
                let key = t as usize * cells + cell;
                starts[key + 1] += 1;
                keys.push((key, i as u32));
            }
        }
        for k in 1..starts.len() {
            starts[k] += starts[k - 1];
        }
        let mut next = starts.clone();
        let filler = Entry {
            xyz: [0.0; 3],
            chord2: 0.0,
            blocks: 0,
            vog_until: 0,
            volunteer: 0,
            skills: 0,
            has_car: false,
        };
        let mut entries = vec![filler; keys.len()];
        // A volunteer's lists come one after another in `keys`: compute its entry once.
        let mut last: Option<(u32, Entry)> = None;
        for (key, i) in keys {
            let entry = match last {
                Some((j, e)) if j == i => e,
                _ => {
                    let v = &volunteers[i as usize];
                    let e = Entry {
                        xyz: unit_vector(v.location),
                        chord2: chord2(v.max_distance_km),
                        blocks: week_blocks(&v.availability),
                        vog_until: v.vog_valid_until.map_or(i64::MIN, |d| d.0),
                        volunteer: i,
                        skills: v.skills.bits(),
                        has_car: v.has_car,
                    };
                    last = Some((i, e));
                    e
                }
            };
            entries[next[key] as usize] = entry;
            next[key] += 1;
        }
        index.volunteers = volunteers;
        index.remaining = remaining;
        index.entries = entries;
        index.starts = starts;
        index
    }

    /// The volunteers, in the order given to [`VolunteerIndex::build`]; candidate and arc
    /// indices refer to this order.
    pub fn volunteers(&self) -> &[Volunteer] {
        &self.volunteers
    }

    /// Remaining capacity per volunteer, in [`VolunteerIndex::volunteers`] order.
    pub fn remaining(&self) -> &[u32] {
        &self.remaining
    }

    fn row(&self, lat: f64) -> usize {
        let r = ((lat - self.south) / self.cell_lat).floor();
        (r.max(0.0) as usize).min(self.rows - 1)
    }

    fn col(&self, lon: f64) -> usize {
        let c = ((lon - self.west) / self.cell_lon).floor();
        (c.max(0.0) as usize).min(self.cols - 1)
    }

    /// Calls `f(volunteer index, km)` for every admissible volunteer, in no particular order.
    pub(crate) fn for_each_admissible(&self, req: &Request, mut f: impl FnMut(u32, f64)) {
        if self.entries.is_empty() {
            return;
        }
        // NaN or negative limits admit nobody (`admissible` refuses them too).
        let radius = req.max_distance_km;
        if radius.is_nan() || radius < 0.0 {
            return;
        }
        let radius = radius.min(self.max_km);
        let bbox = bounding_box(req.location, radius);
        let north_edge = self.south + self.rows as f64 * self.cell_lat;
        if bbox.north < self.south || bbox.south > north_edge {
            return;
        }
        let (r0, r1) = (self.row(bbox.south), self.row(bbox.north));
        let east_edge = self.west + self.cols as f64 * self.cell_lon;
        let mut spans: [(f64, f64); 2] = [(bbox.west, bbox.east), (1.0, 0.0)];
        if bbox.crosses_antimeridian() {
            spans = [(bbox.west, 180.0), (-180.0, bbox.east)];
        }
        let cells = self.rows * self.cols;
        let base = req.help_type as usize * cells;
        let needs_skills = req.needs_skills.bits();
        let blocks = week_blocks(&req.windows);
        let at = unit_vector(req.location);
        let reach = chord2(radius);
        for (west, east) in spans {
            if west > east || east < self.west || west > east_edge {
                continue;
            }
            let (c0, c1) = (self.col(west), self.col(east));
            for r in r0..=r1 {
                let first = base + r * self.cols;
                let run = self.starts[first + c0] as usize..self.starts[first + c1 + 1] as usize;
                for e in &self.entries[run] {
                    if e.blocks & blocks == 0
                        || (req.needs_car && !e.has_car)
                        || (req.needs_vog && e.vog_until < req.on.0)
                        || e.skills & needs_skills != needs_skills
                    {
                        continue;
                    }
                    let [dx, dy, dz] = [e.xyz[0] - at[0], e.xyz[1] - at[1], e.xyz[2] - at[2]];
                    let c2 = dx * dx + dy * dy + dz * dz;
                    if c2 > reach || c2 > e.chord2 {
                        continue;
                    }
                    if let Ok(km) = admissible(req, &self.volunteers[e.volunteer as usize]) {
                        f(e.volunteer, km);
                    }
                }
            }
        }
    }
}
