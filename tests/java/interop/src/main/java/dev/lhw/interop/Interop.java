package dev.lhw.interop;

import io.littlehorse.sdk.common.LHLibUtil;
import io.littlehorse.sdk.common.config.LHConfig;
import io.littlehorse.sdk.common.proto.ExternalEventDefId;
import io.littlehorse.sdk.common.proto.LHStatus;
import io.littlehorse.sdk.common.proto.LittleHorseGrpc.LittleHorseBlockingStub;
import io.littlehorse.sdk.common.proto.PutExternalEventDefRequest;
import io.littlehorse.sdk.common.proto.PutExternalEventRequest;
import io.littlehorse.sdk.common.proto.RunWfRequest;
import io.littlehorse.sdk.common.proto.VariableId;
import io.littlehorse.sdk.common.proto.VariableMutationType;
import io.littlehorse.sdk.common.proto.WfRun;
import io.littlehorse.sdk.common.proto.WfRunId;
import io.littlehorse.sdk.wfsdk.NodeOutput;
import io.littlehorse.sdk.wfsdk.WfRunVariable;
import io.littlehorse.sdk.wfsdk.Workflow;
import io.littlehorse.sdk.worker.LHTaskMethod;
import io.littlehorse.sdk.worker.LHTaskWorker;
import java.util.UUID;

/**
 * The official Java SDK against the lhw kernel (LHC_API_HOST/LHC_API_PORT): registers a TaskDef
 * from an annotated method, an ExternalEventDef and a WfSpec built with the Java workflow SDK,
 * serves the task with an LHTaskWorker, runs a WfRun with the Java client, posts the event and
 * checks the run COMPLETED with the task's output and the event's content in its variables.
 * Prints "interop ok" and exits 0, or prints the reason and exits 1. Every wait is bounded.
 */
public class Interop {
    static final String TASK = "java-greet";
    static final String EVENT = "java-go-ahead";
    static final String WF = "java-interop";

    /** The task the worker serves. */
    public static class Greeter {
        @LHTaskMethod(TASK)
        public String greet(String name) {
            return "Hello, " + name + " from Java!";
        }
    }

    static void fail(String why) {
        System.out.println("interop failure: " + why);
        System.exit(1);
    }

    public static void main(String[] args) throws Exception {
        LHConfig config = new LHConfig();
        LittleHorseBlockingStub client = config.getBlockingStub();

        LHTaskWorker worker = new LHTaskWorker(new Greeter(), TASK, config);
        worker.registerTaskDef();
        client.putExternalEventDef(PutExternalEventDefRequest.newBuilder().setName(EVENT).build());

        Workflow wf = Workflow.newWorkflow(WF, thread -> {
            WfRunVariable name = thread.declareStr("name");
            WfRunVariable greeting = thread.declareStr("greeting");
            WfRunVariable note = thread.declareStr("note");
            NodeOutput out = thread.execute(TASK, name);
            thread.mutate(greeting, VariableMutationType.ASSIGN, out);
            NodeOutput event = thread.waitForEvent(EVENT);
            thread.mutate(note, VariableMutationType.ASSIGN, event);
        });
        wf.registerWfSpec(client);
        worker.start();

        String id = "java-" + UUID.randomUUID();
        try {
            client.runWf(RunWfRequest.newBuilder()
                    .setWfSpecName(WF)
                    .setId(id)
                    .putVariables("name", LHLibUtil.objToVarVal("Ada"))
                    .build());
            client.putExternalEvent(PutExternalEventRequest.newBuilder()
                    .setWfRunId(WfRunId.newBuilder().setId(id))
                    .setExternalEventDefId(ExternalEventDefId.newBuilder().setName(EVENT))
                    .setContent(LHLibUtil.objToVarVal("from the Java client"))
                    .build());

            long deadline = System.currentTimeMillis() + 30_000;
            WfRun run;
            while (true) {
                run = client.getWfRun(WfRunId.newBuilder().setId(id).build());
                if (run.getStatus() == LHStatus.COMPLETED) break;
                if (run.getStatus() == LHStatus.ERROR || run.getStatus() == LHStatus.EXCEPTION) {
                    fail("WfRun " + id + " ended " + run.getStatus() + ": " + run);
                }
                if (System.currentTimeMillis() > deadline) fail("WfRun " + id + " still " + run.getStatus());
                Thread.sleep(50);
            }
            String greeting = variable(client, id, "greeting");
            String note = variable(client, id, "note");
            if (!greeting.equals("Hello, Ada from Java!")) fail("greeting = " + greeting);
            if (!note.equals("from the Java client")) fail("note = " + note);
            System.out.println("interop ok: " + id + " greeting=" + greeting + " note=" + note);
        } finally {
            worker.close();
        }
        System.exit(0);
    }

    static String variable(LittleHorseBlockingStub client, String id, String name) {
        return client.getVariable(VariableId.newBuilder()
                        .setWfRunId(WfRunId.newBuilder().setId(id))
                        .setThreadRunNumber(0)
                        .setName(name)
                        .build())
                .getValue()
                .getStr();
    }
}
