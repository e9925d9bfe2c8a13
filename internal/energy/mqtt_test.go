package energy_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/govops/govops/internal/energy"
	"github.com/govops/govops/internal/platform/settings"
)

// brokerURL is the MQTT broker of the integration test (CI runs Mosquitto there).
const brokerURL = "tcp://127.0.0.1:1883"

func needBroker(t *testing.T) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:1883", time.Second)
	if err != nil {
		msg := "no MQTT broker on 127.0.0.1:1883 (" + err.Error() + "): install and start mosquitto to run the MQTT integration test"
		if os.Getenv("GOVOPS_MQTT_REQUIRED") == "1" {
			t.Fatal(msg + " — GOVOPS_MQTT_REQUIRED=1 is set, so this is a failure")
		}
		t.Skip(msg)
	}
	c.Close()
}

// TestMQTTEndToEnd publishes ThingsBoard-style telemetry to the real broker and checks that the subscriber stores
// it as readings (per-meter topic and gateway form), that the counters become consumption, and that a message
// published while the subscriber is away (QoS 1, persistent session) arrives when it comes back.
func TestMQTTEndToEnd(t *testing.T) {
	needBroker(t)
	e := newEnv(t, false)
	c := e.Admin()
	prefix := fmt.Sprintf("govops-test/%d", rand.Uint64())
	unit := mkOrg(t, c, map[string]any{"name": "MQTT 测试单位", "headcount": 10, "floor_area_m2": 100})
	direct := mkMeter(t, c, map[string]any{"org_id": unit, "energy_type": "electricity", "name": "直连表", "code": "MQ-1", "value_key": "energy_kwh"})
	gw := mkMeter(t, c, map[string]any{"org_id": unit, "energy_type": "water", "name": "网关水表", "code": "GW-1/Total"})
	cfg := energy.MQTTSettings{Topics: []string{prefix + "/meters/+/telemetry", prefix + "/gateway"}, ClientID: "govops-test-" + prefix[13:], QoS: 1}
	if err := settings.Put(e.ctx, e.App.DB, energy.MQTTKey, cfg, time.Now(), "test"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.StartMQTT(e.ctx, brokerURL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.svc.StopMQTT()
		// Drop the persistent session this test left on the broker.
		c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(brokerURL).SetClientID(cfg.ClientID).SetCleanSession(true))
		if tok := c.Connect(); tok.WaitTimeout(5*time.Second) && tok.Error() == nil {
			c.Disconnect(100)
		}
	})
	waitFor(t, "the subscriber to connect", func() bool { return e.svc.MQTT().Connected })
	time.Sleep(300 * time.Millisecond) // the subscription is made in the connect handler

	pub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(brokerURL).SetClientID("govops-test-pub-" + prefix[13:]))
	if tok := pub.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publisher connect: %v", tok.Error())
	}
	defer pub.Disconnect(100)
	publish := func(topic, payload string) {
		t.Helper()
		if tok := pub.Publish(topic, 1, false, payload); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("publish: %v", tok.Error())
		}
	}
	jan := time.Date(2025, 1, 1, 0, 0, 0, 0, energy.Shanghai).UnixMilli()
	feb := time.Date(2025, 2, 1, 0, 0, 0, 0, energy.Shanghai).UnixMilli()
	publish(prefix+"/meters/MQ-1/telemetry", fmt.Sprintf(`{"ts":%d,"values":{"energy_kwh":1000.5,"power_kw":3.2}}`, jan))
	publish(prefix+"/meters/MQ-1/telemetry", fmt.Sprintf(`[{"ts":%d,"values":{"energy_kwh":1500.5}}]`, feb))
	publish(prefix+"/gateway", fmt.Sprintf(`{"GW-1":[{"ts":%d,"values":{"Total":20}},{"ts":%d,"values":{"Total":32}}]}`, jan, feb))
	publish(prefix+"/meters/NOBODY/telemetry", `{"value":1}`)
	publish(prefix+"/meters/MQ-1/telemetry", `not json`)
	waitFor(t, "four readings", func() bool {
		return e.count(t, "SELECT COUNT(*) FROM energy_readings WHERE meter_id IN (?, ?)", direct, gw) == 4
	})
	in := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025&month=1", unit))
	if in.amount("electricity") != 500 || in.amount("water") != 12 {
		t.Errorf("January from MQTT = %+v, want 500 kWh and 12 m³", in.ByType)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'energy.readings' AND object_id = 'mqtt'"); n == 0 {
		t.Error("MQTT readings were not audited")
	}
	st := e.svc.MQTT()
	if st.Unknown < 1 || st.Bad < 1 {
		t.Errorf("status %+v: the unknown device and the bad payload are not counted", st)
	}

	// Away: a message published meanwhile waits in the broker's persistent session and arrives after the restart.
	e.svc.StopMQTT()
	mar := time.Date(2025, 3, 1, 0, 0, 0, 0, energy.Shanghai).UnixMilli()
	publish(prefix+"/meters/MQ-1/telemetry", fmt.Sprintf(`{"ts":%d,"values":{"energy_kwh":1600.5}}`, mar))
	if err := e.svc.StartMQTT(context.Background(), brokerURL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the message sent while away", func() bool {
		return e.count(t, "SELECT COUNT(*) FROM energy_readings WHERE meter_id = ?", direct) == 3
	})
	if feb := getIndicators(t, c, fmt.Sprintf("org_id=%d&year=2025&month=2", unit)); feb.amount("electricity") != 100 {
		t.Errorf("February = %v, want 100", feb.amount("electricity"))
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 15 s for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
