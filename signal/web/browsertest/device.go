package browsertest

import (
	"context"
	"fmt"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Device is the screen and input a page is emulated with.
type Device struct {
	Name          string
	Width, Height int64   // the viewport in CSS pixels
	Scale         float64 // device pixels per CSS pixel
	Mobile        bool    // a mobile browser: meta viewport applies, overlay scrollbars
	Touch         bool    // touch events, (pointer: coarse)
	UserAgent     string  // "" keeps the browser's own
}

// The devices Signaal's users have. Phone is a common small Android phone of
// a youth worker recording a signal in the street; Laptop is the most common
// laptop screen of coordinators and privacy officers in Dutch municipalities.
var (
	Phone = Device{
		Name: "phone", Width: 360, Height: 740, Scale: 2, Mobile: true, Touch: true,
		UserAgent: "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36",
	}
	Laptop = Device{
		Name: "laptop", Width: 1366, Height: 768, Scale: 1,
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
	}
)

// String returns the name and size, as in "phone 360x740@2".
func (d Device) String() string {
	return fmt.Sprintf("%s %dx%d@%g", d.Name, d.Width, d.Height, d.Scale)
}

// emulate applies the device to the tab.
func (d Device) emulate() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if d.UserAgent != "" {
			if _, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: d.UserAgent}); err != nil {
				return fmt.Errorf("set user agent: %w", err)
			}
		}
		orientation := &emulation.ScreenOrientation{Type: emulation.ScreenOrientationTypePortraitPrimary}
		if d.Width > d.Height {
			orientation = &emulation.ScreenOrientation{Type: emulation.ScreenOrientationTypeLandscapePrimary, Angle: 90}
		}
		if _, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: d.Width, Height: d.Height, DeviceScaleFactor: d.Scale, Mobile: d.Mobile,
			ScreenWidth: d.Width, ScreenHeight: d.Height,
			ScreenOrientation: orientation,
		}); err != nil {
			return fmt.Errorf("set device metrics: %w", err)
		}
		if _, err := cdp.Call(ctx, t, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: d.Touch}); err != nil {
			return fmt.Errorf("set touch emulation: %w", err)
		}
		return nil
	})
}
