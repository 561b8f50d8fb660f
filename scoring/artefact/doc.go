// Package artefact saves and loads a fitted model as one versioned,
// human-readable JSON file (模型文件): its kind (scorecard or gbdt), the
// feature specification, the fitted parameters, the points scale and what
// training measured. The artefact is what model governance (模型管理)
// signs off and what the model registry will store; a model is only ever
// scored from an artefact, so what was reviewed is what runs.
//
// Loading checks the format version and every index in the parameters, and
// refuses files written by a newer daihou rather than guessing.
package artefact
