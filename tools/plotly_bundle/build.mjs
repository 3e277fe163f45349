// Build assets/vendor/plotly/plotly-custom.min.js: plotly.js with only the trace
// types the dashboard draws, the way plotly.js builds its own partial bundles
// (plotly.js 4.x: tasks/partial_bundle.mjs, tasks/util/bundle_wrapper.mjs and
// esbuild-config.js): an index that registers the chosen traces on top of
// `lib/core`, bundled by esbuild as an IIFE named `Plotly` with the same plugins,
// aliases and defines, attribute descriptions stripped, minified, wrapped so that
// the file sets `window.Plotly`, and the licence header in front.
//
//   cd tools/plotly_bundle && npm ci && npm run build
//
// Writes the bundle, its brotli-compressed copy (.br) and plotly-custom.json
// (version, traces, sha256) beside it.
// Same inputs (package-lock.json) give a byte-identical file.

import { createHash } from "node:crypto";
import fs from "node:fs";
import zlib from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";

import * as acorn from "acorn";
import { build } from "esbuild";
import { environmentPlugin } from "esbuild-plugin-environment";
import { glsl } from "esbuild-plugin-glsl";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT_DIR = path.resolve(HERE, "../../assets/vendor/plotly");
const OUT_JS = path.join(OUT_DIR, "plotly-custom.min.js");
const OUT_JSON = path.join(OUT_DIR, "plotly-custom.json");
const WORK = path.join(HERE, ".build");

// The trace types the dashboard uses (tests/test_bundle.py checks every figure
// against the list written to plotly-custom.json). `scatter` is always in
// plotly.js's core and cannot be left out.
const TRACES = ["bar", "choroplethmap", "scattermap"];

const PLOTLY_DIR = path.join(HERE, "node_modules", "plotly.js");
const plotlyPkg = JSON.parse(
  fs.readFileSync(path.join(PLOTLY_DIR, "package.json"), "utf8"),
);
const esbuildPkg = JSON.parse(
  fs.readFileSync(path.join(HERE, "node_modules", "esbuild", "package.json"), "utf8"),
);
const pinned = JSON.parse(fs.readFileSync(path.join(HERE, "package.json"), "utf8"))
  .dependencies["plotly.js"];
if (plotlyPkg.version !== pinned) {
  throw new Error(`node_modules has plotly.js ${plotlyPkg.version}, package.json pins ${pinned}: run npm ci`);
}
for (const t of TRACES) {
  if (!fs.existsSync(path.join(PLOTLY_DIR, "lib", `${t}.js`))) {
    throw new Error(`plotly.js ${plotlyPkg.version} has no trace type ${t}`);
  }
}

// plotly.js's tasks/compress_attributes.js: drop the attribute meta strings
// (description, hrName, requiredOpts, otherOpts) that only the schema needs.
// Done on the syntax tree (acorn) rather than by regular expressions, since the
// 4.x sources are formatted in ways the upstream expressions do not all cover.
const META = new Set(["description", "hrName", "requiredOpts", "otherOpts"]);

// Text built from literals, variables and `['...', x].join(' ')`: no other
// calls, so dropping it cannot drop a side effect.
function isStaticText(node) {
  if (!node) return false;
  switch (node.type) {
    case "Literal":
    case "Identifier":
      return true;
    case "MemberExpression":
      return isStaticText(node.object) && (!node.computed || isStaticText(node.property));
    case "TemplateLiteral":
      return node.expressions.every(isStaticText);
    case "ArrayExpression":
      return node.elements.every(isStaticText);
    case "BinaryExpression":
    case "LogicalExpression":
      return isStaticText(node.left) && isStaticText(node.right);
    case "ConditionalExpression":
      return [node.test, node.consequent, node.alternate].every(isStaticText);
    case "CallExpression": // ['...', '...'].join(' ')
      return (
        node.callee.type === "MemberExpression" &&
        !node.callee.computed &&
        node.callee.property.name === "join" &&
        node.callee.object.type === "ArrayExpression" &&
        isStaticText(node.callee.object) &&
        node.arguments.every(isStaticText)
      );
    default:
      return false;
  }
}

function metaRanges(code) {
  const ranges = [];
  const visit = (node) => {
    if (!node || typeof node.type !== "string") return;
    // Object literals only: a destructuring pattern's `description` is a binding.
    if (node.type === "ObjectExpression") {
      for (const prop of node.properties) {
        if (prop.type !== "Property" || prop.computed || prop.kind !== "init") continue;
        const key = prop.key.type === "Identifier" ? prop.key.name : prop.key.value;
        if (META.has(key) && isStaticText(prop.value)) {
          let end = prop.end;
          const rest = code.slice(end).match(/^\s*,/);
          if (rest) end += rest[0].length;
          ranges.push([prop.start, end]);
        }
      }
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value.type === "string") visit(value);
    }
  };
  visit(acorn.parse(code, { ecmaVersion: "latest", sourceType: "script" }));
  return ranges.sort((a, b) => a[0] - b[0]);
}

const compressAttributes = {
  name: "compress-attributes",
  setup(b) {
    b.onLoad({ filter: /[\\/]plotly\.js[\\/]src[\\/].*\.js$/ }, async (args) => {
      let code = await fs.promises.readFile(args.path, "utf8");
      if (/\b(description|hrName|requiredOpts|otherOpts)\s*:/.test(code)) {
        for (const [start, end] of metaRanges(code).reverse()) {
          code = code.slice(0, start) + code.slice(end);
        }
      }
      return { contents: code, loader: "js" };
    });
  },
};

// esbuild-plugin-inline-css, with the <style> id hashed from the path inside
// node_modules rather than the absolute path, so the output does not depend on
// where the repository is checked out.
const inlineCss = {
  name: "inline-css",
  setup(b) {
    b.onLoad({ filter: /\.css$/ }, async (args) => {
      const rel = path.relative(path.join(HERE, "node_modules"), args.path).split(path.sep).join("/");
      const id = createHash("sha256").update(rel).digest("hex");
      const css = await fs.promises.readFile(args.path, "utf8");
      return {
        contents: `(function(){
        if (!document.getElementById('${id}')) {
            var e = document.createElement('style');
            e.id = '${id}';
            e.textContent = ${JSON.stringify(css)};
            document.head.appendChild(e);
        }
    })();`,
        loader: "js",
      };
    });
  },
};

fs.rmSync(WORK, { recursive: true, force: true });
fs.mkdirSync(WORK, { recursive: true });
fs.mkdirSync(OUT_DIR, { recursive: true });
const index = path.join(WORK, "index-custom.js");
fs.writeFileSync(
  index,
  [
    "'use strict';",
    "",
    "var Plotly = require('plotly.js/lib/core');",
    "",
    "Plotly.register([",
    ...TRACES.map((t) => `    require('plotly.js/lib/${t}'),`),
    "]);",
    "",
    "module.exports = Plotly;",
    "",
  ].join("\n"),
);

const bundled = path.join(WORK, "plotly-custom.min.js");
await build({
  entryPoints: [index],
  outfile: bundled,
  absWorkingDir: HERE,
  format: "iife",
  globalName: "Plotly",
  bundle: true,
  minify: true,
  sourcemap: false,
  plugins: [
    inlineCss,
    glsl({ minify: true }),
    environmentPlugin({ NODE_DEBUG: false }),
    compressAttributes,
  ],
  alias: { regl: "@plotly/regl", stream: "stream-browserify" },
  define: { global: "window", "define.amd": "false" },
  target: "es2016",
  logLevel: "warning",
});

// The licence header of plotly.js's own dist files, naming this bundle.
const distHeader = fs
  .readFileSync(path.join(PLOTLY_DIR, "dist", "plotly.min.js"), "utf8")
  .split("*/")[0];
if (!distHeader.includes("Licensed under the MIT license")) {
  throw new Error("plotly.js dist header not found");
}
const header =
  distHeader.replace(
    "plotly.js",
    `plotly.js (custom: ${TRACES.join(", ")} - minified)`,
  ) +
  "*/\n" +
  "/* Built by tools/plotly_bundle/build.mjs from the plotly.js npm package; see\n" +
  "   assets/vendor/plotly/README.md. Licences of the bundled packages at the end. */\n";
const wrapped = [
  header,
  "(",
  " function(root, factory) {",
  '  if (typeof module === "object" && module.exports) {',
  "   module.exports = factory();",
  "  } else {",
  "   root.moduleName = factory();",
  "  }",
  '} (typeof self !== "undefined" ? self : this, () => {',
  fs.readFileSync(bundled, "utf8"),
  "window.Plotly = Plotly;",
  "return Plotly;",
  "}));",
  "",
].join("\n");
fs.writeFileSync(OUT_JS, wrapped);
// Brotli at its highest quality, once, here: too slow to do per request (seconds),
// and the app serves it to every browser that accepts `br`.
const brotli = zlib.brotliCompressSync(Buffer.from(wrapped), {
  params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
    [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
    [zlib.constants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(wrapped),
  },
});
fs.writeFileSync(`${OUT_JS}.br`, brotli);
fs.rmSync(WORK, { recursive: true, force: true });

const sha256 = createHash("sha256").update(wrapped).digest("hex");
const meta = {
  "plotly.js": plotlyPkg.version,
  esbuild: esbuildPkg.version,
  file: path.basename(OUT_JS),
  sha256,
  brotli_bytes: brotli.length,
  traces: ["scatter", ...TRACES].sort(),
};
fs.writeFileSync(OUT_JSON, JSON.stringify(meta, null, 2) + "\n");
console.log(`${path.relative(process.cwd(), OUT_JS)}: ${Buffer.byteLength(wrapped)} bytes, sha256 ${sha256}`);
