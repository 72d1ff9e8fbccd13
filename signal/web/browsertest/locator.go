package browsertest

import (
	"context"
	"fmt"
	"slices"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Locator finds an element: by CSS selector, or by accessible name.
type Locator struct {
	css  string
	name string
}

// CSS finds the first element matching a CSS selector.
func CSS(selector string) Locator { return Locator{css: selector} }

// Name finds an element by its whole accessible name, as Chromium computes
// it for screen readers: a field by its label, a button or link by its text,
// a landmark or dialog by its aria-label, a heading by its text. Text nodes,
// label elements and the document itself never match; of several matches
// the first is used. Finding fields this way makes a test fail when a
// field's label is missing or not tied to it.
func Name(accessibleName string) Locator { return Locator{name: accessibleName} }

// String describes the locator for messages.
func (l Locator) String() string {
	if l.name != "" {
		return fmt.Sprintf("the element named %q", l.name)
	}
	return fmt.Sprintf("%q", l.css)
}

// query returns the chromedp selector and options of the locator, waiting
// for the element to be visible.
func (l Locator) query() (chromedp.CSS, []chromedp.QueryOption) {
	opts := []chromedp.QueryOption{chromedp.NodeVisible}
	if l.name == "" {
		return chromedp.CSS(l.css), opts
	}
	return chromedp.CSS(l.String()), append(opts, chromedp.ByFunc(byAccessibleName(l.name)))
}

// nonElementRoles are the roles of accessibility nodes a locator by name
// must not return: the text inside an element and a label, which carry the
// same name as the control they describe.
var nonElementRoles = map[string]bool{
	"StaticText": true, "InlineTextBox": true, "LabelText": true,
	"generic": true, "none": true, "presentation": true,
	"RootWebArea": true, // the document, named by its title
}

// byAccessibleName finds the elements whose computed accessible name is
// name, below root, for chromedp.ByFunc. It returns no nodes (so a wait
// retries) until one exists.
func byAccessibleName(name string) func(ctx context.Context, t *chromedp.Target, root *chromedp.Node) ([]cdp.NodeID, error) {
	return func(ctx context.Context, t *chromedp.Target, root *chromedp.Node) ([]cdp.NodeID, error) {
		root.RLock()
		rootID := root.NodeID
		root.RUnlock()
		return queryByName(ctx, t, rootID, name)
	}
}

// queryByName returns the elements below root whose accessible name is name.
func queryByName(ctx context.Context, t *chromedp.Target, rootID cdp.NodeID, name string) ([]cdp.NodeID, error) {
	res, err := cdp.Call(ctx, t, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{NodeID: rootID, AccessibleName: name})
	if err != nil {
		return nil, fmt.Errorf("query the accessibility tree for %q: %w", name, err)
	}
	var backend []cdp.BackendNodeID
	for _, n := range res.Nodes {
		if n.Ignored || n.BackendDOMNodeID == 0 || nonElementRoles[axString(n.Role)] {
			continue
		}
		backend = append(backend, n.BackendDOMNodeID)
	}
	if len(backend) == 0 {
		return nil, nil
	}
	ids, err := cdp.Call(ctx, t, dom.PushNodesByBackendIDsToFrontend, dom.PushNodesByBackendIDsToFrontendParams{BackendNodeIDs: backend})
	if err != nil {
		return nil, fmt.Errorf("find the nodes named %q: %w", name, err)
	}
	// A node removed from the document since the accessibility tree was
	// computed comes back as 0.
	return slices.DeleteFunc(ids.NodeIDs, func(id cdp.NodeID) bool { return id == 0 }), nil
}

// documentNode returns the root of the current document.
func documentNode(ctx context.Context, t *chromedp.Target) (cdp.NodeID, error) {
	doc, err := cdp.Call(ctx, t, dom.GetDocument, dom.GetDocumentParams{Depth: new(int64(0))})
	if err != nil {
		return 0, fmt.Errorf("get the document: %w", err)
	}
	return doc.Root.NodeID, nil
}

// callOnNode calls a JavaScript function with the element as this.
func callOnNode[T any](ctx context.Context, t *chromedp.Target, id cdp.NodeID, function string, args ...any) (T, error) {
	var zero T
	r, err := cdp.Call(ctx, t, dom.ResolveNode, dom.ResolveNodeParams{NodeID: id})
	if err != nil {
		return zero, fmt.Errorf("resolve the node: %w", err)
	}
	defer cdp.Call(ctx, t, runtime.ReleaseObject, runtime.ReleaseObjectParams{ObjectID: r.Object.ObjectID})
	return chromedp.CallFunctionOn[T](function, func(p *runtime.CallFunctionOnParams) { p.ObjectID = r.Object.ObjectID }, args...)(ctx, t)
}
