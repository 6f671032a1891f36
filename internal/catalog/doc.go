// Package catalog is the registry of the built-in pipelines that the worker
// and starter commands share.
//
// Each [Entry] hides a typed pipeline behind JSON: it decodes and checks
// inputs strictly for the pipeline's input type, runs them in-process or
// starts them as Temporal workflows, and encodes every outcome as a
// [Result]. The commands never see the pipeline's Go types.
package catalog
