// The topics one run of the shapes program uses, named after the run so two runs on the same
// broker start from empty topics (and so record the same offsets).
package dev.ferrokafka.clients.shapes;

final class Topics {
    final String main;
    final String logAppendTime;
    final String one;
    final String acks0;
    final String spare;

    Topics(String run) {
        main = "shapes-" + run + "-main";
        logAppendTime = "shapes-" + run + "-lat";
        one = "shapes-" + run + "-one";
        acks0 = "shapes-" + run + "-acks0";
        spare = "shapes-" + run + "-spare";
    }
}
