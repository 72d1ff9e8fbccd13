package app

// DemoSignals are the demo's signals, for the external test.
var DemoSignals = demoSignals
