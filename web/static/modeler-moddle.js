// The spiffworkflow extensions Mediate's engine reads, as a moddle package for bpmn-js (type names
// are the XML tags): user-task properties (form, unit rule, assignee, claimable, timer kind,
// startable), the service operator with its parameters, pre/post-scripts, the called decision and
// multi-instance activities' scriptsOnInstances.
// tests/js/roundtrip_modeler.mjs reads it too, to check that the library round-trips unchanged.
window.MediateSpiffModdle = {
  name: "SpiffWorkflow", uri: "http://spiffworkflow.org/bpmn/schema/1.0/core", prefix: "spiffworkflow",
  associations: [],
  types: [
    { name: "properties", superClass: ["Element"],
      properties: [{ name: "properties", type: "property", isMany: true }] },
    { name: "property", superClass: ["Element"],
      properties: [{ name: "name", type: "String", isAttr: true }, { name: "value", type: "String", isAttr: true }] },
    { name: "serviceTaskOperator", superClass: ["Element"],
      properties: [{ name: "id", type: "String", isAttr: true }, { name: "resultVariable", type: "String", isAttr: true },
                   { name: "parameterList", type: "parameters" }] },
    { name: "parameters", superClass: ["Element"],
      properties: [{ name: "parameters", type: "parameter", isMany: true }] },
    { name: "parameter", superClass: ["Element"],
      properties: [{ name: "id", type: "String", isAttr: true }, { name: "type", type: "String", isAttr: true },
                   { name: "value", type: "String", isAttr: true }] },
    { name: "preScript", superClass: ["Element"], properties: [{ name: "value", type: "String", isBody: true }] },
    { name: "postScript", superClass: ["Element"], properties: [{ name: "value", type: "String", isBody: true }] },
    { name: "calledDecisionId", superClass: ["Element"], properties: [{ name: "value", type: "String", isBody: true }] },
    // pre/post-scripts of a multi-instance activity run on each instance
    { name: "multiInstanceScripts", extends: ["bpmn:MultiInstanceLoopCharacteristics"],
      properties: [{ name: "scriptsOnInstances", type: "String", isAttr: true }] }
  ]
};
