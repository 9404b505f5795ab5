// AWS ingestion: pure parsing of AWS's own exports (no database). The CLI
// (`gov import aws-iam`, `gov import cloudtrail`, `gov reconcile`) wires these
// to storage; importing from here keeps it off the individual file layout.
export * from "./authorization-details";
export * from "./catalogue";
export * from "./cloudtrail";
export * from "./event-names";
