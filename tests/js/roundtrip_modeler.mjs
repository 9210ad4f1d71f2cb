// Opens each BPMN file with the web modeler's moddle package for the spiffworkflow extensions
// (web/static/modeler-moddle.js) and writes it back as bpmn-js would save it, into OUTDIR under the
// same name. Import warnings are printed. Usage: node tests/js/roundtrip_modeler.mjs OUTDIR FILE...
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BpmnModdle } from 'bpmn-moddle';

const here = new URL('../../web/static/modeler-moddle.js', import.meta.url);
const scope = {};
new Function('window', readFileSync(here, 'utf8'))(scope);
const [outdir, ...files] = process.argv.slice(2);
let failed = 0;
for (const file of files) {
  const moddle = new BpmnModdle({ spiffworkflow: scope.MediateSpiffModdle });
  try {
    const { rootElement, warnings } = await moddle.fromXML(readFileSync(file, 'utf8'), 'bpmn:Definitions');
    for (const w of warnings) { console.log(`${file}: ${w.message}`); failed++; }
    const { xml } = await moddle.toXML(rootElement, { format: true });
    writeFileSync(join(outdir, basename(file)), xml);
  } catch (err) { console.log(`${file}: ${err.message}`); failed++; }
}
console.log(`${files.length} files, ${failed} problems`);
process.exit(failed ? 1 : 0);
