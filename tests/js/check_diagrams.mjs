// Reads each BPMN/DMN file the way the bpmn-js / dmn-js modelers do (bpmn-moddle, dmn-moddle)
// and prints every import warning: unknown elements or attributes, unresolved references.
// Usage: node tests/js/check_diagrams.mjs FILE...   (exit 1 if any file has a problem)
import { readFileSync } from 'node:fs';
import { BpmnModdle } from 'bpmn-moddle';
import { DmnModdle } from 'dmn-moddle';

const files = process.argv.slice(2);
let failed = 0;
for (const file of files) {
  const xml = readFileSync(file, 'utf8');
  const moddle = file.endsWith('.dmn') ? new DmnModdle() : new BpmnModdle();
  try {
    const { warnings } = await moddle.fromXML(xml, file.endsWith('.dmn') ? 'dmn:Definitions' : 'bpmn:Definitions');
    for (const w of warnings) { console.log(`${file}: ${w.message}`); failed++; }
  } catch (err) { console.log(`${file}: ${err.message}`); failed++; }
}
console.log(`${files.length} files, ${failed} problems`);
process.exit(failed ? 1 : 0);
