// Loads a CZML file with Cesium's own CzmlDataSource (@cesium/engine, in Node, no browser) and
// prints one JSON object describing what Cesium built from it:
//
//   {"cesium": version, "name": document name,
//    "clock": {start, stop, current, multiplier, range, step},
//    "entities": [{id, name, graphics: [...], availability: [{start, stop}] | null,
//                  description, position: {...} | null, values: {graphic: {property: value}},
//                  unread: ["graphic.property", ...]}]}
//
// Instants are ISO 8601 UTC text (milliseconds). Positions are geodetic [lon deg, lat deg,
// height m] on the WGS 84 ellipsoid, converted back from the Earth-fixed Cartesian positions
// Cesium holds. A sampled position also gives its number of samples, the instants of its first
// and last samples as Cesium computed them (epoch plus offset), and the position Cesium
// evaluates there and half-way between. "values" holds every graphics property the packet
// wrote, evaluated by Cesium at the start of the entity's availability (or of the clock);
// "unread" lists the packet properties for which Cesium built no property or evaluates none
// (CzmlDataSource ignores names it does not know, and an unknown enumeration value evaluates to
// nothing).
//
// Exit status: 0 on success; 1 with a message on stderr when Cesium throws, reports an error,
// writes any warning (console.warn, console.error or console.log) while loading, builds no
// entity for a packet, or reads nothing from a property written (the JSON is still printed).
//
// Usage: node check_czml.mjs FILE.czml

import { readFileSync } from "node:fs";

import {
  Cartesian2,
  Cartesian3,
  Cartographic,
  ClockRange,
  ClockStep,
  Color,
  CornerType,
  CzmlDataSource,
  Ellipsoid,
  HeightReference,
  HorizontalOrigin,
  JulianDate,
  LabelStyle,
  Math as CesiumMath,
  PolygonHierarchy,
  ReferenceFrame,
  VerticalOrigin,
} from "@cesium/engine";

// CzmlDataSource names the browser's Image class as the type of image-valued properties (it is
// a key of a switch, never constructed for the graphics used here); Node has no such global.
globalThis.Image ??= class Image {};

// Graphics properties whose CZML name differs from the property Cesium gives the entity.
const RENAMED = { polygon: { positions: "hierarchy" } };
// Enumerated graphics properties, reported by the name of their value.
const ENUMS = {
  cornerType: CornerType,
  heightReference: HeightReference,
  horizontalOrigin: HorizontalOrigin,
  style: LabelStyle,
  verticalOrigin: VerticalOrigin,
};
// Packet properties that are not graphics.
const ENTITY_KEYS = new Set(["id", "name", "description", "availability", "position"]);

function fail(message) {
  process.stderr.write(`check_czml: ${message}\n`);
  process.exitCode = 1;
}

// The first line of an error or a logged value (Cesium's errors carry their stack after it).
function brief(value) {
  const text = value instanceof Error ? `${value.name}: ${value.message}` : String(value);
  return text.split("\n")[0];
}

function iso(date) {
  return JulianDate.toIso8601(date, 3);
}

function degrees(cartesian) {
  const c = Cartographic.fromCartesian(cartesian, Ellipsoid.WGS84);
  if (c === undefined) {
    return null; // the centre of the Earth
  }
  return [CesiumMath.toDegrees(c.longitude), CesiumMath.toDegrees(c.latitude), c.height];
}

function enumName(enumeration, value) {
  return Object.keys(enumeration).find((key) => enumeration[key] === value) ?? plain(value);
}

// A Cesium value as JSON: colours as bytes, Cartesian3 as geodetic degrees, dates as ISO.
function plain(value) {
  if (value === undefined || value === null) {
    return null;
  }
  if (value instanceof Color) {
    return value.toBytes();
  }
  if (value instanceof Cartesian3) {
    return degrees(value);
  }
  if (value instanceof Cartesian2) {
    return [value.x, value.y];
  }
  if (value instanceof JulianDate) {
    return iso(value);
  }
  if (value instanceof PolygonHierarchy) {
    return { positions: plain(value.positions), holes: plain(value.holes) };
  }
  if (Array.isArray(value)) {
    return value.map(plain);
  }
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

function availability(entity) {
  const intervals = entity.availability;
  if (intervals === undefined) {
    return null;
  }
  const out = [];
  for (let i = 0; i < intervals.length; ++i) {
    const interval = intervals.get(i);
    out.push({
      start: iso(interval.start),
      stop: iso(interval.stop),
      startIncluded: interval.isStartIncluded,
      stopIncluded: interval.isStopIncluded,
    });
  }
  return out;
}

function position(entity, time) {
  const property = entity.position;
  if (property === undefined) {
    return null;
  }
  const samples = property._property; // the SampledProperty behind a SampledPositionProperty
  if (samples === undefined || typeof samples.getSample !== "function") {
    return { sampled: false, value: plain(property.getValue(time)) };
  }
  let count = 0;
  while (samples.getSample(count) !== undefined) {
    ++count;
  }
  const first = samples.getSample(0);
  const last = samples.getSample(-1);
  const middle = JulianDate.addSeconds(
    first,
    JulianDate.secondsDifference(last, first) / 2,
    new JulianDate(),
  );
  return {
    sampled: true,
    samples: count,
    referenceFrame: enumName(ReferenceFrame, property.referenceFrame),
    interpolation: property.interpolationAlgorithm?.type ?? null,
    degree: property.interpolationDegree,
    first: { time: iso(first), value: plain(property.getValue(first)) },
    middle: { time: iso(middle), value: plain(property.getValue(middle)) },
    last: { time: iso(last), value: plain(property.getValue(last)) },
  };
}

function describe(entity, packet, when, unread) {
  const time = entity.availability?.start ?? when;
  const values = {};
  const graphics = [];
  for (const [key, data] of Object.entries(packet)) {
    if (ENTITY_KEYS.has(key)) {
      if (entity[key] === undefined) {
        unread.push(key);
      }
      continue;
    }
    const graphic = entity[key];
    if (graphic === undefined || graphic === null || typeof data !== "object") {
      unread.push(key);
      continue;
    }
    graphics.push(key);
    values[key] = {};
    for (const name of Object.keys(data)) {
      const property = graphic[RENAMED[key]?.[name] ?? name];
      const value = property?.getValue(time);
      if (value === undefined) {
        unread.push(`${key}.${name}`);
      }
      values[key][name] = name in ENUMS ? enumName(ENUMS[name], value) : plain(value);
    }
  }
  return {
    id: entity.id,
    name: entity.name ?? null,
    graphics,
    availability: availability(entity),
    description: entity.description?.getValue(time) ?? null,
    position: position(entity, time),
    values,
  };
}

async function main() {
  const file = process.argv[2];
  if (file === undefined) {
    return fail("usage: node check_czml.mjs FILE.czml");
  }
  let czml;
  try {
    czml = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    return fail(`cannot read ${file} as JSON: ${error.message}`);
  }
  if (!Array.isArray(czml)) {
    return fail(`${file}: a CZML document is a JSON array of packets`);
  }

  const messages = [];
  const saved = { log: console.log, warn: console.warn, error: console.error };
  for (const level of Object.keys(saved)) {
    console[level] = (...args) => messages.push(`console.${level}: ${args.map(brief).join(" ")}`);
  }
  const source = new CzmlDataSource();
  source.errorEvent.addEventListener((_, error) => messages.push(`errorEvent: ${brief(error)}`));
  let result;
  try {
    await source.load(czml);
    const clock = source.clock;
    if (clock === undefined) {
      messages.push("no clock: the document packet's clock was not read");
    }
    const byId = new Map(czml.filter((p) => p.id !== "document").map((p) => [p.id, p]));
    const entities = [];
    for (const entity of source.entities.values) {
      const packet = byId.get(entity.id);
      if (packet === undefined) {
        messages.push(`entity ${entity.id} comes from no packet`);
        continue;
      }
      const unread = [];
      const described = describe(entity, packet, clock?.startTime, unread);
      described.unread = unread;
      entities.push(described);
    }
    for (const id of byId.keys()) {
      if (source.entities.getById(id) === undefined) {
        messages.push(`packet ${id} gave no entity`);
      }
    }
    result = {
      cesium: globalThis.CESIUM_VERSION ?? null,
      name: source.name ?? null,
      clock: clock && {
        start: iso(clock.startTime),
        stop: iso(clock.stopTime),
        current: iso(clock.currentTime),
        multiplier: clock.multiplier,
        range: enumName(ClockRange, clock.clockRange),
        step: enumName(ClockStep, clock.clockStep),
      },
      entities,
    };
  } catch (error) {
    messages.push(`Cesium refused the document: ${brief(error)}`);
  } finally {
    Object.assign(console, saved);
  }
  if (result !== undefined) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    for (const entity of result.entities) {
      if (entity.unread.length > 0) {
        messages.push(`${entity.id}: Cesium read nothing from ${entity.unread.join(", ")}`);
      }
    }
  }
  if (messages.length > 0) {
    return fail(`${file}:\n${[...new Set(messages)].join("\n")}`);
  }
}

await main();
