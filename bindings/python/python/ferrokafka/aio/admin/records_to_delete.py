"""aiokafka's ``RecordsToDelete`` (``aiokafka.admin.records_to_delete``): the offset before which
``delete_records`` deletes a partition's records."""


class RecordsToDelete:
    def __init__(self, before_offset):
        self.before_offset = before_offset
